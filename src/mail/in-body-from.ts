// The in-body From: of a patch. When someone sends a patch they did not
// write (a maintainer forwarding it, b4's web relay, a colleague), git
// format-patch and b4 put the author in a "From:" line at the very top of
// the body, and `git am` takes the author from there (git mailinfo's in-body
// headers: From, Subject, Date lines, then a blank line). pinwatch does the
// same: that person is the author it answers, greets and tracks.
import addressparser from "nodemailer/lib/addressparser";
import { decodeEncodedWords } from "./encoded-words.js";
import type { Address } from "./types.js";

/** Leading blank lines, then a block of From:/Subject:/Date: lines. */
const IN_BODY_HEADERS = /^(?:[ \t]*\r?\n)*((?:(?:From|Subject|Date):[^\n]*\n)+)/i;

/** The author named by the body's in-body From:, if it has one. Reads only the start of the body. */
export function inBodyFrom(body: string): Address | undefined {
  const block = IN_BODY_HEADERS.exec(body.slice(0, 2048))?.[1];
  if (!block) return undefined;
  const line = /^From:[ \t]*(.*?)\r?$/im.exec(block)?.[1];
  if (!line) return undefined;
  const [first] = addressparser(decodeEncodedWords(line), { flatten: true });
  if (!first?.address || !first.address.includes("@")) return undefined;
  return { name: first.name ?? "", address: first.address };
}
