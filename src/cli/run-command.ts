// `pinwatch run` (npm start): the main job on the embedded default. Reviews
// the configured inputs (the bundled demo archive by default) and puts every
// reply owed into the dry-run outbox maildir, never twice.
import { isAbsolute, resolve } from "node:path";
import { projectRoot } from "../config/load-config.js";
import type { Config } from "../config/schema.js";
import type { Logger } from "../log.js";
import { composeReply } from "../reply/compose-reply.js";
import { renderRfc5322 } from "../reply/render-rfc5322.js";
import { deliverToMaildir } from "../reply/write-maildir.js";
import { ALL_RULES, RULESET_VERSION } from "../rules/index.js";
import { reviewInputs } from "../review/review-inputs.js";
import { VERSION } from "./version.js";

export async function runMainJob(config: Config, log: Logger, out: (t: string) => void): Promise<number> {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(projectRoot, p));
  const outbox = at(config.run.outboxDir);
  const counts = { messages: 0, patches: 0, findings: 0, replies: 0, alreadyInOutbox: 0, errors: 0 };
  for await (const item of reviewInputs(config.run.inputs.map(at), { rules: ALL_RULES, config, log })) {
    if (item.kind === "error") {
      counts.errors++;
      log.error({ code: item.error.code }, item.error.message);
      continue;
    }
    counts.messages++;
    if (item.review.kind === "patch") counts.patches++;
    counts.findings += item.review.findings.length;
    const reply = composeReply(item.mail, item.review.findings, {
      bot: config.bot, reply: config.reply, rulesetVersion: RULESET_VERSION, version: VERSION, now: new Date(),
    });
    if (!reply) continue;
    const { path, written } = deliverToMaildir(outbox, reply.messageId, renderRfc5322(reply));
    if (written) {
      counts.replies++;
      log.info({ msgid: item.mail.messageId, path }, "reply queued in the dry-run outbox");
    } else counts.alreadyInOutbox++;
  }
  out(
    `pinwatch run: ${counts.messages} messages, ${counts.patches} patches, ${counts.findings} findings; ` +
      `${counts.replies} new replies in ${outbox} (dry run, nothing sent), ${counts.alreadyInOutbox} already there; ` +
      `${counts.errors} errors\n`,
  );
  return counts.errors > 0 ? 1 : 0;
}
