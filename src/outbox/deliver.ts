// Sends what the outbox owes. Each run first recovers sends that were cut
// off (in doubt), then claims the replies that are due (one process per
// reply, even with several pinwatch processes on one database), and
// delivers each by the mode it was recorded with: dry-run into the maildir,
// live by SMTP within the rate limits. Every outcome is recorded before the
// next reply: sent, retry later with backoff, or failed.
import { hostname } from "node:os";
import type { Config } from "../config/schema.js";
import { describeError, PinwatchError } from "../errors.js";
import type { Logger } from "../log.js";
import { deliverToMaildir } from "../reply/write-maildir.js";
import { backoffDelay } from "../sources/polite.js";
import type { OutboxEntry, SendingPause, Store } from "../store/store.js";
import type { ArchiveLookup } from "./archive-lookup.js";
import type { MailTransport } from "./smtp-transport.js";

export interface DeliveryStats {
  written: number;
  sent: number;
  retrying: number;
  failed: number;
  rateLimited: number;
  confirmedInArchive: number;
  /** In-doubt replies held back because an archive they went to could not be asked. */
  waitingForArchive: number;
  /** Why sending is paused (the mail server refuses pinwatch itself), when it is. */
  paused?: string;
  /** Delivery errors met in this run, by code (for /metrics). */
  errorsByCode: Record<string, number>;
}

export interface DeliverOptions {
  store: Store;
  config: Pick<Config, "outbox" | "bot" | "lists" | "poller">;
  /** The dry-run maildir. */
  outboxDir: string;
  log: Logger;
  now?: () => Date;
  /** Replaces SMTP (tests); created from config.outbox.smtp when needed. */
  transport?: MailTransport;
  /** Most replies handled in one run; the rest wait for the next. */
  limit?: number;
  /** Asks an archive for a Message-ID (tests); created from the config when an in-doubt reply needs it. */
  lookup?: ArchiveLookup;
  /** Try one reply now even if sending is paused (`outbox send` by hand, after fixing the settings). */
  probeNow?: boolean;
}

/** Names this process in claims, so a claim shows who held it. */
export const CLAIM_OWNER = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

const HOUR = 3600 * 1000;
/** A rate-limited reply is looked at again after this long. */
const RATE_LIMIT_PAUSE_MS = 5 * 60 * 1000;

export async function deliverOwed(options: DeliverOptions): Promise<DeliveryStats> {
  const { store, config, log } = options;
  const now = options.now ?? (() => new Date());
  const o = config.outbox;
  const stats: DeliveryStats = { written: 0, sent: 0, retrying: 0, failed: 0, rateLimited: 0, confirmedInArchive: 0, waitingForArchive: 0, errorsByCode: {} };
  const recovered = await store.recoverStaleClaims(now(), o.claimTimeoutSeconds * 1000, o.inDoubtWaitMinutes * 60 * 1000);
  stats.confirmedInArchive += recovered.confirmed;
  if (recovered.confirmed > 0) log.info({ replies: recovered.confirmed }, "sends cut off before their outcome was recorded were delivered: the list shows them");
  if (recovered.released > 0) log.info({ replies: recovered.released }, "dry-run replies cut off before their file was written are written now");
  if (recovered.requeued > 0) log.warn({ replies: recovered.requeued }, "sends cut off before their outcome was recorded are in doubt; each is sent again (same Message-ID) only if the archives it went to, asked, do not have it");
  // A paused outbox tries one reply when the pause says so, and holds the rest.
  let pause = await store.sendingPause();
  let mayTry = !pause || options.probeNow === true || now().getTime() >= Date.parse(pause.retryAt);
  let transport = options.transport;
  const handled: number[] = [];
  try {
    // One claim at a time: a crash leaves at most one send of this process in doubt.
    while (handled.length < (options.limit ?? 200)) {
      const [entry] = await store.claimDue(CLAIM_OWNER, now(), 1, handled, pause && !mayTry ? ["dry-run"] : undefined);
      if (!entry) break;
      handled.push(entry.id);
      if (entry.mode === "dry-run") {
        const result = deliverToMaildir(options.outboxDir, entry.replyMessageId, entry.raw);
        await store.recordDelivery(entry.id, CLAIM_OWNER, { state: "sent", via: "maildir", at: now() });
        if (result.written) {
          stats.written++;
          log.info({ outbox: entry.id, msgid: entry.inReplyTo, reply: entry.replyMessageId, path: result.path }, "reply written to the dry-run outbox");
        }
        continue;
      }
      // Sent before by a send cut off after the server may have accepted it: the archives say whether to send again.
      if (entry.inDoubt && (await settledByArchives(entry, options, now, stats))) continue;
      if (await overRateLimit(store, entry, config, now())) {
        stats.rateLimited++;
        await store.recordDelivery(entry.id, CLAIM_OWNER, { state: "pending", nextAttemptAt: new Date(now().getTime() + RATE_LIMIT_PAUSE_MS), countsAsAttempt: false });
        continue;
      }
      // nodemailer is loaded only when a reply goes out by SMTP: a dry-run poll never needs it.
      transport ??= (await import("./smtp-transport.js")).createSmtpTransport(o.smtp);
      const refused = await sendOne(entry, transport, options, now, stats);
      if (refused) {
        const first = !pause;
        pause = await store.pauseSending({ code: refused.code, reason: refused.message, at: now(), retryAt: pauseUntil(pause, o, now()) });
        mayTry = false;
        if (first) log.error({ code: refused.code, retryAt: pause.retryAt }, `sending paused, no reply failed: ${refused.message}`);
        else log.warn({ code: refused.code, retryAt: pause.retryAt, tries: pause.probes }, `sending is still paused: ${refused.message}`);
      } else if (pause && stats.sent > 0) {
        await store.resumeSending();
        log.info({ pausedSince: pause.since }, "the mail server accepts pinwatch again: sending resumed");
        pause = undefined;
      }
    }
  } finally {
    if (!options.transport) transport?.close();
  }
  if (stats.rateLimited > 0) log.warn({ replies: stats.rateLimited }, "rate limit reached; replies wait for the next run");
  if (pause) stats.paused = `${pause.code} ${pause.reason} (next try ${pause.retryAt})`;
  return stats;
}

/** When a paused outbox tries again: the retry backoff, doubling with each refused try, without jitter. */
function pauseUntil(pause: SendingPause | undefined, o: Config["outbox"], now: Date): Date {
  const seconds = Math.min(o.retryMaxSeconds, o.retryBaseSeconds * 2 ** (pause?.probes ?? 0));
  return new Date(now.getTime() + seconds * 1000);
}

/**
 * Looks an in-doubt reply up in the archives it went to. True when that
 * settles it: found (recorded as sent), or an archive could not be asked
 * (it waits); false when it is to be sent again.
 */
async function settledByArchives(entry: OutboxEntry, options: DeliverOptions, now: () => Date, stats: DeliveryStats): Promise<boolean> {
  const { store, config, log } = options;
  options.lookup ??= (await import("./archive-lookup.js")).createArchiveLookup(config, log);
  const verdict = await lookInArchives(entry, config, options.lookup);
  if (verdict.found) {
    await store.recordDelivery(entry.id, CLAIM_OWNER, { state: "sent", via: "archive", at: now() });
    stats.confirmedInArchive++;
    log.info({ outbox: entry.id, reply: entry.replyMessageId, list: verdict.found }, "an in-doubt reply is in the archive: recorded as sent, not sent again");
    return true;
  }
  if (verdict.unavailable) {
    const error = `in doubt: the archive of ${verdict.unavailable} cannot be asked whether it has the reply; it is not sent again until one can`;
    await store.recordDelivery(entry.id, CLAIM_OWNER, { state: "pending", error, nextAttemptAt: new Date(now().getTime() + config.outbox.retryBaseSeconds * 1000), countsAsAttempt: false });
    stats.waitingForArchive++;
    log.warn({ outbox: entry.id, reply: entry.replyMessageId }, error);
    return true;
  }
  log.warn(
    { outbox: entry.id, reply: entry.replyMessageId, asked: verdict.asked },
    verdict.asked.length ? "an in-doubt reply is in none of the archives it went to: sending it again, same Message-ID" : "an in-doubt reply went to no list whose archive can be asked: sending it again, same Message-ID",
  );
  return false;
}

/** Asks every archive the reply went to: found in one, or one could not be asked, or (asked: which said no) none has it. */
async function lookInArchives(entry: OutboxEntry, config: DeliverOptions["config"], lookup: ArchiveLookup): Promise<{ found?: string; unavailable?: string; asked: string[] }> {
  const { listsOfReply } = await import("./archive-lookup.js");
  const asked: string[] = [];
  let unavailable: string | undefined;
  for (const list of listsOfReply(config.lists, entry)) {
    const a = await lookup(list, entry.replyMessageId);
    if (a.answer === "found") return { found: list.name, asked };
    if (a.answer === "unavailable") unavailable ??= `${list.name} (${a.reason})`;
    if (a.answer === "absent") asked.push(list.name);
  }
  return { unavailable, asked };
}

async function overRateLimit(store: Store, entry: OutboxEntry, config: DeliverOptions["config"], now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - HOUR);
  if ((await store.sentCount(since)) >= config.outbox.overallPerHour) return true;
  return (await store.sentCount(since, entry.list)) >= config.outbox.perListPerHour;
}

/** Sends one reply and records the outcome; returns the error when the server refused pinwatch itself (the reply waits, unfailed). */
async function sendOne(entry: OutboxEntry, transport: MailTransport, options: DeliverOptions, now: () => Date, stats: DeliveryStats): Promise<PinwatchError | undefined> {
  const { store, config, log } = options;
  const o = config.outbox;
  const label = `outbox ${entry.id} <${entry.replyMessageId}>`;
  // Someone may have opted out since the reply was composed.
  const optedOut = new Set(o.optOut.map((a) => a.toLowerCase()));
  const to = entry.recipients.filter((a) => !optedOut.has(a.toLowerCase()));
  const entryLog = log.child({ outbox: entry.id, msgid: entry.inReplyTo, reply: entry.replyMessageId });
  if (to.length === 0) {
    await store.recordDelivery(entry.id, CLAIM_OWNER, { state: "failed", error: "no recipients left (all opted out)", at: now() });
    stats.failed++;
    entryLog.warn("reply not sent: no recipients left");
    return;
  }
  try {
    await transport.send({ label, from: config.bot.address, to, raw: entry.raw });
  } catch (err) {
    const error = err instanceof PinwatchError ? err : new PinwatchError("PW_E_SMTP", describeError(err), { subject: label, cause: err });
    stats.errorsByCode[error.code] = (stats.errorsByCode[error.code] ?? 0) + 1;
    if (error.code === "PW_E_SMTP_CONFIG") {
      // Due again at once: the pause, not the reply, decides when sending is tried again.
      await store.recordDelivery(entry.id, CLAIM_OWNER, { state: "pending", error: `sending paused: ${error.message}`, nextAttemptAt: now(), countsAsAttempt: false });
      return error;
    }
    const permanent = error.code === "PW_E_SMTP_REJECTED";
    if (permanent || entry.attempts + 1 >= o.maxAttempts) {
      await store.recordDelivery(entry.id, CLAIM_OWNER, { state: "failed", error: error.message, at: now() });
      stats.failed++;
      entryLog.error({ code: error.code, attempts: entry.attempts + 1 }, error.message);
      return;
    }
    const delay = backoffDelay(entry.attempts, o.retryBaseSeconds * 1000, o.retryMaxSeconds * 1000);
    await store.recordDelivery(entry.id, CLAIM_OWNER, { state: "pending", error: error.message, nextAttemptAt: new Date(now().getTime() + delay), countsAsAttempt: true });
    stats.retrying++;
    entryLog.warn({ code: error.code, attempts: entry.attempts + 1, retryInMs: Math.round(delay) }, error.message);
    return;
  }
  await store.recordDelivery(entry.id, CLAIM_OWNER, { state: "sent", via: "smtp", at: now() });
  stats.sent++;
  entryLog.info({ to: to.length }, "reply sent");
}
