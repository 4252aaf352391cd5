// Reviews raw messages that passed the prefilter: a lone patch, or every
// held patch of one series posting with its siblings in view. Pure apart
// from the clock: bytes in, review records (findings and the reply owed) out.
import { initCParser } from "../analysis/c-parser.js";
import type { Config } from "../config/schema.js";
import { PinwatchError, describeError } from "../errors.js";
import type { Logger } from "../log.js";
import { parseMail } from "../mail/parse-mail.js";
import type { Mail } from "../mail/types.js";
import { composeReply } from "../reply/compose-reply.js";
import { replyDecision, replyPolicyFor } from "../reply/reply-policy.js";
import type { PriorReview } from "../review/lineage.js";
import { quotePositions, renderQuote } from "../reply/quote-hunks.js";
import { renderRfc5322 } from "../reply/render-rfc5322.js";
import { siblingsIn } from "../review/series.js";
import { gupDigest, gupHunksUnchanged } from "../review/gup-digest.js";
import { patchFiles, reviewMail } from "../review/review-mail.js";
import type { Rule } from "../rules/types.js";
import type { ReviewRecord } from "../store/store.js";

export interface RawPatch {
  messageId: string;
  list: string;
  /** Where it was read: list and source position, for error messages. */
  source: string;
  bytes: Buffer;
  /** The review of its earlier version, looked up in the store before the review. */
  prior?: PriorReview;
}

export interface ReviewContext {
  rules: readonly Rule[];
  rulesetVersion: string;
  version: string;
  config: Pick<Config, "review" | "reply" | "bot" | "outbox" | "lists">;
  log: Logger;
  now: () => Date;
}

function failed(patch: RawPatch, ctx: ReviewContext, error: PinwatchError): ReviewRecord {
  ctx.log.error({ code: error.code, msgid: patch.messageId, source: patch.source }, error.message);
  return { messageId: patch.messageId, rulesetVersion: ctx.rulesetVersion, reviewedAt: ctx.now().toISOString(), findings: [], error: { code: error.code, message: error.message } };
}

/** Reviews the patches of one posting (or one lone patch); one record per patch, in order. */
export async function reviewPosting(patches: readonly RawPatch[], ctx: ReviewContext): Promise<ReviewRecord[]> {
  await initCParser();
  const parsed: { patch: RawPatch; mail?: Mail; record?: ReviewRecord }[] = [];
  for (const patch of patches) {
    try {
      const mail = await parseMail({ source: patch.source, bytes: patch.bytes });
      // The record is keyed by the id the store knows the message by.
      mail.messageId = patch.messageId;
      parsed.push({ patch, mail });
    } catch (err) {
      const error = err instanceof PinwatchError ? err : new PinwatchError("PW_E_MAIL_PARSE", describeError(err), { subject: patch.source, cause: err });
      parsed.push({ patch, record: failed(patch, ctx, error) });
    }
  }
  const mails = parsed.flatMap((p) => (p.mail ? [p.mail] : []));
  const records: ReviewRecord[] = [];
  for (const { patch, mail, record } of parsed) {
    if (record || !mail) {
      records.push(record!);
      continue;
    }
    try {
      const log = ctx.log.child({ msgid: mail.messageId, list: patch.list });
      const review = reviewMail(mail, { rules: ctx.rules, config: ctx.config, log, series: siblingsIn(mails, mail) });
      const now = ctx.now();
      const mailSeverities = ctx.config.reply.mailSeverities as string[];
      const policy = replyPolicyFor(ctx.config, patch.list);
      const decision = replyDecision(mail, policy);
      const digest = gupDigest(patchFiles(mail), ctx.config.review.excludePaths);
      const reply = decision.reply
        ? composeReply(mail, review.findings, {
            bot: ctx.config.bot, reply: ctx.config.reply, rulesetVersion: ctx.rulesetVersion, version: ctx.version, now, policy, prior: patch.prior, gupDigest: digest,
          })
        : null;
      const earlier = new Map((patch.prior?.findings ?? []).map((f) => [f.fingerprint, f]));
      const files = new Map(patchFiles(mail).map((f) => [f.path, f]));
      const whyNot = () =>
        !decision.reply ? decision.reason
        : patch.prior && patch.prior.version >= version ? "nothing new since the earlier posting of this revision"
        : gupHunksUnchanged(digest, patch.prior) ? `its GUP/pin hunks are those of v${patch.prior!.version} (whitespace and wrapping aside), and nothing new was found`
        : "nothing new since the earlier posting of this revision";
      const excerpt = (f: (typeof review.findings)[number]) => {
        const file = files.get(f.file);
        return file ? renderQuote(file, quotePositions(file, f.anchor, f.related, ctx.config.reply.maxQuotedLines)).join("\n") : undefined;
      };
      const version = mail.tags.version;
      const mailableCount = review.findings.filter((f) => mailSeverities.includes(f.severity)).length;
      records.push({
        messageId: mail.messageId,
        rulesetVersion: ctx.rulesetVersion,
        reviewedAt: now.toISOString(),
        findings: review.findings.map((f) => {
          const first = earlier.get(f.fingerprint);
          return {
            rule: f.rule, category: f.category, severity: f.severity, file: f.file, line: f.line, function: f.function,
            fingerprint: f.fingerprint, message: f.message, mailable: mailSeverities.includes(f.severity),
            status: first ? "still-present" : "new", firstVersion: first?.firstVersion ?? version, firstMessageId: first?.firstMessageId ?? mail.messageId,
            excerpt: excerpt(f),
          };
        }),
        reply: reply
          ? {
              replyMessageId: reply.messageId, idempotencyKey: reply.idempotencyKey, inReplyTo: mail.messageId, list: patch.list, raw: renderRfc5322(reply),
              recipients: [...reply.to, ...reply.cc].map((a) => a.address), subject: reply.subject,
            }
          : undefined,
        noReplyReason: mailableCount === 0 || reply ? undefined : whyNot(),
        version,
        predecessor: patch.prior?.messageId,
        touchedFiles: [...files.keys()],
        gupDigest: digest,
      });
    } catch (err) {
      records.push(failed(patch, ctx, new PinwatchError("PW_E_DIFF_PARSE", `review failed: ${describeError(err)}`, { subject: patch.source, cause: err })));
    }
  }
  return records;
}
