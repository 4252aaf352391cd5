// Reads, parses and reviews every message of the given inputs, one at a
// time (patches of a series wait for their posting to be complete). A bad input or message becomes a coded error in the stream and the
// run goes on: nothing is lost and nothing stops the rest.
import { initCParser } from "../analysis/c-parser.js";
import type { Config } from "../config/schema.js";
import { PinwatchError } from "../errors.js";
import { readInputs, type RawMessage } from "../input/read-inputs.js";
import type { Logger } from "../log.js";
import { parseMail } from "../mail/parse-mail.js";
import type { Mail } from "../mail/types.js";
import type { Rule } from "../rules/types.js";
import { reviewMail } from "./review-mail.js";
import { OpenSeries, seriesKey, siblingsIn } from "./series.js";
import type { Review } from "./types.js";

/** `seq` numbers the messages (and unreadable inputs) in the order they were read: series patches come out later, so a caller can put them back in order. */
export type ReviewItem = ({ kind: "review"; mail: Mail; review: Review } | { kind: "error"; error: PinwatchError }) & { seq: number };

export interface ReviewInputOptions {
  rules: readonly Rule[];
  config: Config;
  log: Logger;
  stdin?: () => Buffer;
}

/** Reviews one parsed mail with the other patches of its posting in view; a crash becomes a coded error naming it. */
export function reviewOne(mail: Mail, series: readonly Mail[], options: ReviewInputOptions, seq: number): ReviewItem {
  const log = options.log.child({ msgid: mail.messageId });
  try {
    return { kind: "review", mail, review: reviewMail(mail, { rules: options.rules, config: options.config, log, series }), seq };
  } catch (err) {
    // A crash in the shared analysis (not one rule) must still name the message.
    return { kind: "error", error: new PinwatchError("PW_E_DIFF_PARSE", `review failed: ${(err as Error)?.message ?? err}`, { subject: `${mail.source} <${mail.messageId}>`, cause: err }), seq };
  }
}

/** Parses raw mail; a message that is not mail becomes a coded error naming it. */
export async function parseRaw(message: RawMessage): Promise<Mail | PinwatchError> {
  try {
    return await parseMail(message);
  } catch (err) {
    return err instanceof PinwatchError ? err : new PinwatchError("PW_E_MAIL_PARSE", String(err), { subject: message.source, cause: err });
  }
}

export async function* reviewInputs(paths: string[], options: ReviewInputOptions): AsyncGenerator<ReviewItem> {
  await initCParser();
  const seqOf = new Map<Mail, number>();
  let read = 0;
  const review = (mail: Mail, series: readonly Mail[]): ReviewItem => {
    const seq = seqOf.get(mail)!;
    seqOf.delete(mail);
    return reviewOne(mail, series, options, seq);
  };
  // Series are grouped within one input path (an mbox, a maildir, a folder).
  // A patch of a series waits until its posting is complete (or the path
  // ends); everything else is reviewed as it streams past.
  for (const path of paths) {
    const open = new OpenSeries();
    for (const item of readInputs([path], options.stdin)) {
      const seq = read++;
      if (item.kind === "error") {
        yield { ...item, seq };
        continue;
      }
      const mail = await parseRaw(item.message);
      if (mail instanceof PinwatchError) {
        yield { kind: "error", error: mail, seq };
        continue;
      }
      seqOf.set(mail, seq);
      const key = seriesKey(mail);
      if (!key) {
        yield review(mail, []);
        continue;
      }
      const posting = open.add(mail, key);
      if (posting) for (const m of posting) yield review(m, siblingsIn(posting, m));
    }
    for (const posting of open.drain()) for (const m of posting) yield review(m, siblingsIn(posting, m));
  }
}
