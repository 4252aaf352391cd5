// `pinwatch review <path>...`: reviews local mail and prints the findings
// (human or --json), optionally writing the replies it would send.
import type { Config } from "../config/schema.js";
import { PinwatchError } from "../errors.js";
import type { Logger } from "../log.js";
import { composeReply } from "../reply/compose-reply.js";
import { replyDecision, replyPolicyFor } from "../reply/reply-policy.js";
import { renderRfc5322 } from "../reply/render-rfc5322.js";
import { writeEmlFile } from "../reply/write-maildir.js";
import { ALL_RULES, RULESET_VERSION } from "../rules/index.js";
import { reviewInputs } from "../review/review-inputs.js";
import { reviewToJson, type Review } from "../review/types.js";
import { formatReviewHuman } from "./format-human.js";
import { VERSION } from "./version.js";

export interface ReviewCommandOptions {
  paths: string[];
  json: boolean;
  replyDir?: string;
  config: Config;
  log: Logger;
  out: (text: string) => void;
  stdin?: () => Buffer;
  now?: () => Date;
}

/** Returns the exit status: 0 all read, 1 some input could not be read or parsed. */
export async function runReviewCommand(options: ReviewCommandOptions): Promise<number> {
  const reviews: Review[] = [];
  const errors: PinwatchError[] = [];
  for await (const item of reviewInputs(options.paths, { rules: ALL_RULES, config: options.config, log: options.log, stdin: options.stdin })) {
    if (item.kind === "error") {
      errors.push(item.error);
      options.log.error({ code: item.error.code, subject: item.error.subject }, item.error.message);
      continue;
    }
    reviews.push(item.review);
    if (!options.json) options.out(formatReviewHuman(item.review) + "\n");
    if (options.replyDir && item.review.findings.length > 0) {
      const policy = replyPolicyFor(options.config);
      const decision = replyDecision(item.mail, policy);
      if (!decision.reply) options.log.info({ msgid: item.mail.messageId, reason: decision.reason }, "no reply");
      const reply = decision.reply
        ? composeReply(item.mail, item.review.findings, {
            bot: options.config.bot, reply: options.config.reply, rulesetVersion: RULESET_VERSION, version: VERSION,
            now: options.now?.() ?? new Date(), policy,
          })
        : null;
      if (reply) {
        try {
          const path = writeEmlFile(options.replyDir, reply.messageId, renderRfc5322(reply));
          options.log.info({ msgid: item.mail.messageId, path }, "reply written");
        } catch (err) {
          const error = err as PinwatchError;
          errors.push(error);
          options.log.error({ code: error.code }, error.message);
        }
      }
    }
  }
  if (options.json) {
    options.out(JSON.stringify({
      reviews: reviews.map(reviewToJson),
      errors: errors.map((e) => ({ code: e.code, source: e.subject ?? null, message: e.message })),
    }, null, 1) + "\n");
  } else if (errors.length > 0) {
    options.out(`${errors.length} input error(s):\n${errors.map((e) => `  ${e.code} ${e.message}`).join("\n")}\n`);
  }
  return errors.length > 0 ? 1 : 0;
}
