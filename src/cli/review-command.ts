// `pinwatch review <input>...`: reviews local mail (files, mboxes, maildirs,
// stdin) or a thread fetched by Message-ID or lore URL, and prints the
// findings as text (checkpatch/compiler style), one JSON document, or b4's
// CI check results; optionally writes the replies it would send.
import { existsSync } from "node:fs";
import type { Config } from "../config/schema.js";
import { PinwatchError } from "../errors.js";
import type { Logger } from "../log.js";
import { composeReply } from "../reply/compose-reply.js";
import { replyDecision, replyPolicyFor } from "../reply/reply-policy.js";
import { renderRfc5322 } from "../reply/render-rfc5322.js";
import { writeEmlFile } from "../reply/write-maildir.js";
import { ALL_RULES, RULESET_VERSION } from "../rules/index.js";
import { b4CheckResult, b4ErrorResult, type B4CheckResult } from "../review/b4-check.js";
import { parseRaw, reviewInputs, reviewOne, type ReviewInputOptions, type ReviewItem } from "../review/review-inputs.js";
import { siblingsIn } from "../review/series.js";
import { selectSeries } from "../review/thread-series.js";
import { reviewToJson } from "../review/types.js";
import type { Severity } from "../rules/types.js";
import { fetchThread, parseThreadRef, type ThreadRef } from "../sources/fetch-thread.js";
import { HostLimiter, userAgent } from "../sources/polite.js";
import { initCParser } from "../analysis/c-parser.js";
import { visibleJson } from "../visible-text.js";
import { countReview, emptyTotals, TextReport, errorLine } from "./format-review.js";
import { VERSION } from "./version.js";

export type ReviewFormat = "text" | "json" | "b4";

export interface ReviewCommandOptions {
  /** Paths, "-" for stdin, Message-IDs or lore URLs. */
  inputs: string[];
  format: ReviewFormat;
  /** Text: the finding lines only. */
  quiet?: boolean;
  /** Exit 3 when a finding of this severity or worse is found. */
  failOn?: "warning" | "error";
  replyDir?: string;
  /** For a fetched thread: review this revision instead of the newest. */
  useVersion?: number;
  config: Config;
  log: Logger;
  out: (text: string) => void;
  /** Diagnostics and progress (stderr). */
  err: (text: string) => void;
  stdin?: () => Buffer;
  now?: () => Date;
}

/** Exit status: a finding at or above --fail-on (input errors take precedence, with 1). */
export const EXIT_FINDINGS = 3;

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Returns the exit status: 0 all read, 1 some input could not be read or parsed, 3 a finding reached --fail-on. */
export async function runReviewCommand(options: ReviewCommandOptions): Promise<number> {
  const { config, format } = options;
  const totals = emptyTotals();
  const text = format === "text" ? new TextReport(options.out, options.err, !!options.quiet) : undefined;
  const reviews: ReturnType<typeof reviewToJson>[] = [];
  const errors: PinwatchError[] = [];
  const checks: B4CheckResult[] = [];
  let worst = -1;
  const progress = (line: string) => {
    if (!options.quiet) options.err(`pinwatch: ${line}\n`);
  };

  const fail = (error: PinwatchError) => {
    errors.push(error);
    totals.unreadable++;
    if (text) text.error(error);
    else options.err(`${errorLine(error)}\n`);
    if (format === "b4") checks.push(b4ErrorResult(error));
    options.log.debug({ code: error.code, subject: error.subject }, error.message);
  };

  const handle = (item: ReviewItem) => {
    if (item.kind === "error") return fail(item.error);
    const { review, mail } = item;
    countReview(totals, review);
    for (const f of review.findings) worst = Math.max(worst, RANK[f.severity]);
    if (format === "json") reviews.push(reviewToJson(review));
    if (format === "b4" && review.kind === "patch") checks.push(b4CheckResult(review));
    text?.review(review);
    if (!options.replyDir || review.findings.length === 0) return;
    const policy = replyPolicyFor(config);
    const decision = replyDecision(mail, policy);
    if (!decision.reply) {
      options.log.info({ msgid: mail.messageId, reason: decision.reason }, "no reply");
      return;
    }
    const reply = composeReply(mail, review.findings, {
      bot: config.bot, reply: config.reply, rulesetVersion: RULESET_VERSION, version: VERSION, now: options.now?.() ?? new Date(), policy,
    });
    if (!reply) return;
    try {
      const path = writeEmlFile(options.replyDir, reply.messageId, renderRfc5322(reply));
      options.log.info({ msgid: mail.messageId, path }, "reply written");
    } catch (err) {
      fail(err instanceof PinwatchError ? err : new PinwatchError("PW_E_REPLY_WRITE", String(err), { subject: options.replyDir, cause: err }));
    }
  };

  const inputOptions: ReviewInputOptions = { rules: ALL_RULES, config, log: options.log, stdin: options.stdin };
  for (const input of options.inputs) {
    if (input === "-" || existsSync(input)) {
      await reviewInOrder(reviewInputs([input], inputOptions), handle);
      continue;
    }
    const ref = parseThreadRef(input);
    if (!ref) {
      fail(new PinwatchError("PW_E_INPUT_READ", "no such file or directory, and not a Message-ID or a lore URL", { subject: input }));
      continue;
    }
    try {
      await reviewThread(ref, options, inputOptions, handle, (n) => (totals.skipped += n), progress);
    } catch (err) {
      if (!(err instanceof PinwatchError) || err.code === "PW_E_USAGE") throw err;
      fail(err);
    }
  }

  if (text) text.finish(totals);
  else if (format === "json") {
    options.out(`${visibleJson({ reviews, errors: errors.map((e) => ({ code: e.code, source: e.subject ?? null, message: e.message })), totals }, 1)}\n`);
  } else options.out(`${visibleJson(checks, 1)}\n`);

  if (errors.length > 0) return 1;
  if (options.failOn && worst >= RANK[options.failOn]) return EXIT_FINDINGS;
  return 0;
}

/**
 * Patches of a series come out of reviewInputs once their posting is
 * complete; they are put back in the order they were read, so output
 * follows the input. Only the reviews wait, not the mail.
 */
async function reviewInOrder(items: AsyncIterable<ReviewItem>, handle: (item: ReviewItem) => void): Promise<void> {
  const waiting = new Map<number, ReviewItem>();
  let next = 0;
  for await (const item of items) {
    waiting.set(item.seq, item);
    for (let ready = waiting.get(next); ready; ready = waiting.get(next)) {
      waiting.delete(next++);
      handle(ready);
    }
  }
  // Every message yields once, so nothing is left; should one be, it still counts.
  for (const seq of [...waiting.keys()].sort((a, b) => a - b)) handle(waiting.get(seq)!);
}

/** Fetches a thread and reviews its series the way `b4 am` picks it. */
async function reviewThread(
  ref: ThreadRef,
  options: ReviewCommandOptions,
  inputOptions: ReviewInputOptions,
  handle: (item: ReviewItem) => void,
  skip: (n: number) => void,
  progress: (line: string) => void,
): Promise<void> {
  const { config } = options;
  const where = config.lore.nntp && !ref.inboxUrl ? `nntp://${config.lore.nntp.host}:${config.lore.nntp.port}` : (ref.inboxUrl ?? config.lore.url);
  progress(`fetching the thread of <${ref.messageId}> from ${where}`);
  const p = config.poller;
  const thread = await fetchThread(ref, config.lore, {
    userAgent: userAgent(VERSION, config.bot.contact), timeoutMs: p.requestTimeoutSeconds * 1000, maxRetries: p.maxRetries,
    backoffBaseMs: p.backoffBaseMs, backoffMaxMs: p.backoffMaxMs, limiter: new HostLimiter(p.maxInFlightPerHost), log: options.log,
  });
  await initCParser();
  const mails = [];
  let seq = 0;
  for (const raw of thread.messages) {
    const mail = await parseRaw(raw);
    if (mail instanceof PinwatchError) handle({ kind: "error", error: mail, seq: seq++ });
    else mails.push(mail);
  }
  const selection = selectSeries(mails, options.useVersion);
  if (!selection) {
    if (options.useVersion !== undefined && mails.some((m) => m.kind === "patch")) {
      const have = [...new Set(mails.filter((m) => m.kind === "patch").map((m) => `v${m.tags.version}`))].join(", ");
      throw new PinwatchError("PW_E_USAGE", `the thread of <${ref.messageId}> has no v${options.useVersion} (it has ${have})`);
    }
    progress(`the thread of <${ref.messageId}> (${thread.messages.length} messages) holds no patch`);
    skip(mails.length);
    return;
  }
  const notes = [
    selection.carriedFrom.length ? `${selection.carriedFrom.map((c) => `${c.index}`).join(", ")} from v${selection.carriedFrom[0]!.version} (a partial reroll)` : "",
    selection.missing.length ? `${selection.missing.join(", ")} missing` : "",
    selection.versions.length > 1 && options.useVersion === undefined ? `the newest of ${selection.versions.map((v) => `v${v}`).join(", ")}; --use-version picks another` : "",
  ].filter(Boolean);
  progress(
    `${thread.messages.length} messages; reviewing v${selection.version}, ${selection.patches.length === 1 ? "1 patch" : `${selection.patches.length} patches`}` +
      `${notes.length ? ` (${notes.join("; ")})` : ""}, ${selection.skipped.length + (selection.cover ? 1 : 0)} other messages skipped`,
  );
  for (const patch of selection.patches) handle(reviewOne(patch, siblingsIn(selection.patches, patch), inputOptions, seq++));
  skip(selection.skipped.length + (selection.cover ? 1 : 0));
}
