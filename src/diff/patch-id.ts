// A content id for a patch in the spirit of `git patch-id --stable`: the
// file names and the added and removed lines with all whitespace dropped,
// hashed. Line numbers, context, the commit message and the mail's
// headers do not count, so a RESEND, or an unchanged patch in a new version
// of its series, has the same id as before.
import { createHash } from "node:crypto";

export function patchId(patchText: string): string | undefined {
  const start = patchText.search(/^diff --git /m);
  if (start < 0) return undefined;
  const hash = createHash("sha1");
  let lines = 0;
  for (const line of patchText.slice(start).split("\n")) {
    if (line.startsWith("diff --git ")) hash.update(line.replace(/\s+/g, ""));
    else if ((line.startsWith("+") && !line.startsWith("+++ ")) || (line.startsWith("-") && !line.startsWith("--- "))) {
      // The "-- " signature line that follows a patch is not part of it.
      if (line === "-- ") break;
      hash.update(line.replace(/\s+/g, ""));
      lines++;
    }
  }
  return lines > 0 ? hash.digest("hex").slice(0, 20) : undefined;
}
