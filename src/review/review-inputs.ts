// Reads, parses and reviews every message of the given inputs, one input
// path at a time. A bad input or message becomes a coded error in the stream and the
// run goes on: nothing is lost and nothing stops the rest.
import { initCParser } from "../analysis/c-parser.js";
import type { Config } from "../config/schema.js";
import { PinwatchError } from "../errors.js";
import { readInputs } from "../input/read-inputs.js";
import type { Logger } from "../log.js";
import { parseMail } from "../mail/parse-mail.js";
import type { Mail } from "../mail/types.js";
import type { Rule } from "../rules/types.js";
import { reviewMail } from "./review-mail.js";
import { seriesSiblings } from "./series.js";
import type { Review } from "./types.js";

export type ReviewItem = { kind: "review"; mail: Mail; review: Review } | { kind: "error"; error: PinwatchError };

export async function* reviewInputs(
  paths: string[],
  options: { rules: readonly Rule[]; config: Config; log: Logger; stdin?: () => Buffer },
): AsyncGenerator<ReviewItem> {
  await initCParser();
  // One input path at a time (an mbox, a maildir, a folder): its patches are
  // reviewed together so that a series in it is judged as a series.
  for (const path of paths) {
    const mails: Mail[] = [];
    for (const item of readInputs([path], options.stdin)) {
      if (item.kind === "error") {
        yield item;
        continue;
      }
      try {
        mails.push(await parseMail(item.message));
      } catch (err) {
        yield { kind: "error", error: err instanceof PinwatchError ? err : new PinwatchError("PW_E_MAIL_PARSE", String(err), { subject: item.message.source, cause: err }) };
      }
    }
    const siblings = seriesSiblings(mails);
    for (const mail of mails) {
      const log = options.log.child({ msgid: mail.messageId });
      let review: Review;
      try {
        review = reviewMail(mail, { rules: options.rules, config: options.config, log, series: siblings.get(mail) });
      } catch (err) {
        // A crash in the shared analysis (not one rule) must still name the message.
        yield { kind: "error", error: new PinwatchError("PW_E_DIFF_PARSE", `review failed: ${(err as Error)?.message ?? err}`, { subject: `${mail.source} <${mail.messageId}>`, cause: err }) };
        continue;
      }
      yield { kind: "review", mail, review };
    }
  }
}
