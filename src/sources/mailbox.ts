// Local mail: an mbox, a maildir, a .eml or a directory of those (the
// embedded demo default reads the bundled mbox). The cursor counts the
// messages already taken, in the reader's stable order; if the mailbox
// shrank (rewritten), reading starts over and the store skips what it has.
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { PinwatchError } from "../errors.js";
import { scanHeaders } from "../ingest/scan-headers.js";
import { readInputs } from "../input/read-inputs.js";
import type { ReadOptions, Source, SourceMessage } from "./source.js";

export class MailboxSource implements Source {
  readonly type = "mailbox" as const;
  readonly id: string;
  private readonly path: string;

  constructor(
    readonly list: string,
    path: string,
    root: string,
  ) {
    this.id = `${list}:mailbox`;
    this.path = isAbsolute(path) ? path : resolve(root, path);
  }

  async fetch(): Promise<void> {
    if (!existsSync(this.path)) throw new PinwatchError("PW_E_SOURCE_FETCH", "the mailbox does not exist", { subject: this.path });
  }

  async *read(cursor: string | undefined, options: ReadOptions = {}): AsyncGenerator<SourceMessage> {
    let skip = options.since ? 0 : Number(cursor ?? 0);
    if (!Number.isInteger(skip) || skip < 0) skip = 0;
    let i = -1;
    for (const item of readInputs([this.path])) {
      i++;
      if (i < skip) continue;
      if (options.signal?.aborted) return;
      if (item.kind === "error") {
        yield { cursor: String(i + 1), position: item.error.subject ?? this.path, bytes: Buffer.alloc(0), error: item.error };
        continue;
      }
      if (options.since) {
        const date = scanHeaders(item.message.bytes)?.meta.date;
        if (date && Date.parse(date) < options.since.getTime()) {
          yield { cursor: String(i + 1), position: item.message.source, bytes: Buffer.alloc(0), outOfRange: true };
          continue;
        }
      }
      yield { cursor: String(i + 1), position: item.message.source, bytes: item.message.bytes };
    }
    // Fewer messages than the cursor counts: the mailbox was rewritten. Read
    // it again from the start; the store skips what it already has.
    if (skip > 0 && i + 1 < skip) yield* this.read(undefined, options);
  }

  async close(): Promise<void> {}
}
