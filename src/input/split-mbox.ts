// Splits an mbox (mboxrd or mboxo, as `git format-patch --stdout` and lore's
// t.mbox.gz write them) into raw messages, undoing the ">From " escaping.
// Bytes are handled as latin1 so that 8-bit bodies survive unchanged.

const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
/** A postmark line: "From <sender> <asctime date>". Body lines starting with
 * "From " (unescaped by git format-patch) rarely look like that. */
const POSTMARK = new RegExp(`^From \\S+ +${DAY} `);

export function looksLikeMbox(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 200).toString("latin1");
  return POSTMARK.test(head);
}

export function splitMbox(bytes: Buffer): Buffer[] {
  const text = bytes.toString("latin1");
  const lines = text.split("\n");
  const messages: Buffer[] = [];
  let current: string[] | null = null;
  let previousBlank = true;
  const flush = () => {
    if (current === null) return;
    // The blank line before the next postmark belongs to the mbox, not the mail.
    while (current.length > 0 && /^\r?$/.test(current[current.length - 1] ?? "x")) current.pop();
    if (current.length > 0) messages.push(Buffer.from(current.join("\n") + "\n", "latin1"));
  };
  for (const line of lines) {
    if (previousBlank && POSTMARK.test(line)) {
      flush();
      current = [];
      previousBlank = false;
      continue;
    }
    previousBlank = /^\r?$/.test(line);
    if (current === null) continue; // junk before the first postmark
    current.push(line.replace(/^>(>*From )/, "$1"));
  }
  flush();
  return messages;
}
