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

/**
 * Splits an mbox fed in pieces of any size (a large mbox is read in chunks,
 * never whole): each push returns the messages completed so far, end() the
 * last one.
 */
export class MboxSplitter {
  private partialLine = "";
  private current: string[] | null = null;
  private previousBlank = true;

  push(chunk: Buffer): Buffer[] {
    const lines = (this.partialLine + chunk.toString("latin1")).split("\n");
    this.partialLine = lines.pop()!;
    return this.take(lines);
  }

  end(): Buffer[] {
    const out = this.partialLine ? this.take([this.partialLine]) : [];
    this.partialLine = "";
    this.flush(out);
    this.current = null;
    return out;
  }

  private take(lines: string[]): Buffer[] {
    const out: Buffer[] = [];
    for (const line of lines) {
      if (this.previousBlank && POSTMARK.test(line)) {
        this.flush(out);
        this.current = [];
        this.previousBlank = false;
        continue;
      }
      this.previousBlank = /^\r?$/.test(line);
      if (this.current === null) continue; // junk before the first postmark
      this.current.push(line.replace(/^>(>*From )/, "$1"));
    }
    return out;
  }

  private flush(out: Buffer[]): void {
    const current = this.current;
    if (current === null) return;
    // The blank line before the next postmark belongs to the mbox, not the mail.
    while (current.length > 0 && /^\r?$/.test(current[current.length - 1] ?? "x")) current.pop();
    if (current.length > 0) out.push(Buffer.from(current.join("\n") + "\n", "latin1"));
  }
}

export function splitMbox(bytes: Buffer): Buffer[] {
  const splitter = new MboxSplitter();
  return [...splitter.push(bytes), ...splitter.end()];
}
