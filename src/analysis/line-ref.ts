// A line of a patch as the rules and replies refer to it: its hunk, whether it
// was added, removed or context, its line numbers and its text.
import type { LineStatus } from "../diff/parse-patch.js";

export interface LineRef {
  hunk: number;
  status: LineStatus;
  newLine?: number;
  oldLine?: number;
  text: string;
}
