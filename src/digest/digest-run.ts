// Builds the digest for one recipient from the store and, when asked,
// sends it through the outbox (its mode: dry-run, moderated or live) and
// records the period so the next digest starts where this one ended.
import { createHash } from "node:crypto";
import type { Config } from "../config/schema.js";
import type { MaintainersIndex } from "../maintainers/maintainers-file.js";
import { encodeUnstructured, foldAddresses, foldHeader } from "../mail/header-fields.js";
import type { Store } from "../store/store.js";
import type { FindingView } from "../store/views.js";
import { dashboardUrl } from "../web/dashboard-url.js";
import { buildDigest, type Digest } from "./build-digest.js";

export interface DigestScope {
  to?: string;
  lists?: readonly string[];
  maintainer?: string;
}

export async function digestFor(store: Store, config: Config, maintainers: MaintainersIndex | undefined, scope: DigestScope, since: Date, until: Date): Promise<Digest> {
  const keep = (f: FindingView) =>
    (!scope.lists?.length || scope.lists.includes(f.list)) &&
    (!scope.maintainer || !maintainers || maintainers.maintainersOf([f.file]).some((p) => p.address.toLowerCase() === scope.maintainer!.toLowerCase()));
  const inPeriod = (iso: string | undefined) => !!iso && iso < until.toISOString();
  const found = (await store.findings({ reviewedSince: since.toISOString(), limit: 20000 })).filter((f) => keep(f) && inPeriod(f.reviewedAt));
  const addressed = (await store.findings({ addressedSince: since.toISOString(), limit: 20000 })).filter((f) => keep(f) && inPeriod(f.addressedAt));
  const label = [scope.lists?.length ? scope.lists.join(", ") : "", scope.maintainer ? `maintainer ${scope.maintainer}` : ""].filter(Boolean).join("; ") || "all lists";
  return buildDigest({ since, until, found, addressed, dashboardUrl: dashboardUrl(config.web), scope: label });
}

/** Records the digest in the outbox for `to`; false when this period was already recorded for it. */
export async function enqueueDigest(store: Store, config: Config, to: string, digest: Digest, since: Date, until: Date, now: Date): Promise<boolean> {
  const key = `digest\0${to.toLowerCase()}\0${since.toISOString()}\0${until.toISOString()}`;
  const messageId = `pinwatch-digest-${createHash("sha1").update(key).digest("hex").slice(0, 24)}@${config.bot.messageIdDomain}`;
  const raw = [
    foldAddresses("From", [{ name: config.bot.name, address: config.bot.address }]),
    foldAddresses("To", [{ name: "", address: to }]),
    foldHeader("Subject", encodeUnstructured(digest.subject)),
    `Date: ${now.toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${messageId}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "Auto-Submitted: auto-generated",
    "",
    digest.text,
  ].join("\r\n").replace(/(?<!\r)\n/g, "\r\n");
  const added = await store.enqueueMail(
    { replyMessageId: messageId, idempotencyKey: key, kind: "digest", inReplyTo: "", list: "digest", subject: digest.subject, recipients: [to], raw, mode: config.digest.mode },
    now,
  );
  if (added) await store.recordDigest({ recipient: to, periodStart: since.toISOString(), periodEnd: until.toISOString(), findings: digest.findings, outboxMessageId: messageId }, now);
  return added;
}

/** The scheduled run: one digest per configured recipient, each covering the time since its last one. */
export async function runScheduledDigests(store: Store, config: Config, maintainers: MaintainersIndex | undefined, now: Date): Promise<number> {
  let queued = 0;
  for (const r of config.digest.recipients) {
    const last = await store.lastDigest(r.to);
    const since = last ? new Date(last.periodEnd) : new Date(now.getTime() - config.digest.firstPeriodDays * 86400000);
    const digest = await digestFor(store, config, maintainers, { to: r.to, lists: r.lists, maintainer: r.maintainer }, since, now);
    if (await enqueueDigest(store, config, r.to, digest, since, now, now)) queued++;
  }
  return queued;
}

/** "1d", "12h", "7d", "2w" or a date: the start of a digest period. */
export function parseSince(value: string, now: Date): Date | undefined {
  const m = /^(\d+)\s*([hdw])$/.exec(value.trim());
  // A span too long for a Date (99999999999w) is no start at all.
  const date = m ? new Date(now.getTime() - Number(m[1]) * { h: 3600000, d: 86400000, w: 604800000 }[m[2] as "h" | "d" | "w"]) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
