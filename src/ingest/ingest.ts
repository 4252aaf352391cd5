// Takes what a source yields after the cursor and stores it, in batches that
// each commit their messages, reviews, findings, replies owed and the new
// cursor in one transaction. Most messages are only recorded as seen; a
// patch whose diff names a GUP symbol is reviewed; a patch of a series is
// held until its posting is complete (or has waited long enough) and is then
// reviewed with its siblings in view. Series state lives in the store, so it
// survives restarts and spans polls.
//
// Reviews run on the Reviewer (a worker thread by default) while reading
// goes on; a batch is committed only once every review it carries is back.
import { PinwatchError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Source } from "../sources/source.js";
import type { IngestBatch, PendingPatch, ReviewRecord, Store } from "../store/store.js";
import { postingComplete } from "../review/series.js";
import type { ReplyMode } from "../config/schema.js";
import type { LineageKeys } from "../review/lineage.js";
import { lineageKeys, lineageKeysOfRaw, rawChangeId } from "./lineage-keys.js";
import { needsReview } from "./prefilter.js";
import type { Reviewer } from "./reviewer.js";
import { scanHeaders } from "./scan-headers.js";

export interface IngestStats {
  read: number;
  stored: number;
  alreadyKnown: number;
  reviewed: number;
  held: number;
  findings: number;
  replies: number;
  deletions: number;
  errors: number;
  /** Findings stored, by rule id (for /metrics). */
  findingsByRule: Record<string, number>;
  /** Errors stored (unreadable positions, failed reviews), by code. */
  errorsByCode: Record<string, number>;
}

export interface IngestOptions {
  store: Store;
  reviewer: Reviewer;
  log: Logger;
  /** Messages per transaction. */
  commitEvery: number;
  /** How long (by its Date) a series patch waits for its siblings. */
  seriesWaitMs: number;
  now: () => Date;
  /** Read from this date on instead of from the cursor (backfill). */
  since?: Date;
  /** Move the stored cursor as messages are committed (false for a backfill over a list already followed). */
  moveCursor: boolean;
  /** How replies owed on this list go out (its replyMode), recorded with each reply. */
  replyMode: ReplyMode;
  signal?: AbortSignal;
  onTotal?: (total: number) => void;
  onProgress?: (stats: IngestStats) => void;
}

function emptyStats(): IngestStats {
  return { read: 0, stored: 0, alreadyKnown: 0, reviewed: 0, held: 0, findings: 0, replies: 0, deletions: 0, errors: 0, findingsByRule: {}, errorsByCode: {} };
}

/** Reviews on their way back, with the pending patches they resolve. */
interface InFlight {
  reviews: Promise<ReviewRecord[]>;
  resolves: string[];
  /** Lineage keys (author + title) of the patches. */
  lineage: string[];
  seriesKey?: string;
  done?: ReviewRecord[];
  /** Settles once the reviews are committed, so a later version can look them up. */
  committed: Promise<void>;
  markCommitted: () => void;
}

/** Reviews allowed in flight before reading waits for the oldest. */
const MAX_IN_FLIGHT = 64;

export async function ingest(source: Source, options: IngestOptions): Promise<IngestStats> {
  const { store, log, reviewer } = options;
  const stats = emptyStats();
  const list = source.list;
  const newBatch = (): IngestBatch => ({
    sourceId: source.id, sourceType: source.type, list, seen: [], pending: [], reviews: [], resolvedPending: [], deletions: [], errors: [],
  });
  let batch = newBatch();
  let batchSize = 0;
  let inFlight: InFlight[] = [];
  const reviewing = new Set<string>();
  /** Patches of this batch already headed for review: a copy delivered twice is not reviewed again. */
  const inBatch = new Set<string>();
  /** Lineage keys of the patches read in this run, computed once from the bytes in hand; a patch held over from an earlier run is read again. */
  const keysRead = new Map<string, LineageKeys | undefined>();
  const touchedSeries = new Set<string>();

  /** Reviews dispatched and not yet committed, by the lineage key and the Message-IDs of their patches. */
  const uncommitted = new Map<string, Set<InFlight>>();
  const track = (key: string, entry: InFlight) => uncommitted.set(key, (uncommitted.get(key) ?? new Set()).add(entry));
  const untrack = (key: string, entry: InFlight) => {
    const entries = uncommitted.get(key);
    entries?.delete(entry);
    if (entries?.size === 0) uncommitted.delete(key);
  };
  const lineageKey = (keys: LineageKeys | undefined) => (keys ? `lineage\0${keys.fromAddress?.toLowerCase() ?? ""}\0${keys.title}` : undefined);
  const messageKey = (messageId: string) => `message\0${messageId}`;

  /** Commits the batch with the reviews that are back. */
  const commitReady = async () => {
    const ready = inFlight.filter((f) => f.done);
    inFlight = inFlight.filter((f) => !f.done);
    for (const f of ready) {
      for (const r of f.done!) if (r.reply) r.reply.mode = options.replyMode;
      batch.reviews.push(...f.done!);
      batch.resolvedPending.push(...f.resolves);
    }
    if (batchSize === 0 && batch.cursor === undefined && ready.length === 0) return;
    const { newMessages } = await store.commit(batch);
    stats.stored += newMessages;
    stats.alreadyKnown += batch.seen.length - newMessages;
    for (const f of ready) {
      for (const id of f.resolves) {
        reviewing.delete(id);
        untrack(messageKey(id), f);
      }
      for (const k of f.lineage) untrack(k, f);
      f.markCommitted();
    }
    stats.reviewed += batch.reviews.length;
    stats.errors += batch.reviews.filter((r) => r.error).length;
    stats.findings += batch.reviews.reduce((n, r) => n + r.findings.length, 0);
    stats.replies += batch.reviews.filter((r) => r.reply).length;
    const tally = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);
    for (const r of batch.reviews) {
      for (const f of r.findings) tally(stats.findingsByRule, f.rule);
      if (r.error) tally(stats.errorsByCode, r.error.code);
    }
    for (const e of batch.errors) tally(stats.errorsByCode, e.code);
    batch = newBatch();
    batchSize = 0;
    inBatch.clear();
  };

  /**
   * Commits what is ready; with waitForAll, goes on until no review is in
   * flight. A patch whose review is still running is in the batch as
   * pending, so the cursor may pass it: its review lands in a later batch,
   * or is redone after a crash.
   */
  const flush = async (waitForAll: boolean) => {
    await commitReady();
    // Reviews waiting for an earlier version's commit finish only after it, hence one at a time.
    while (waitForAll && inFlight.length > 0) {
      await Promise.race(inFlight.map((f) => f.reviews));
      await commitReady();
    }
  };

  const dispatch = async (patches: PendingPatch[], seriesKey?: string) => {
    const keyed = patches.map((p) => ({ patch: p, keys: keysRead.has(p.messageId) ? keysRead.get(p.messageId) : lineageKeysOfRaw(p.messageId, p.raw) }));
    for (const p of patches) keysRead.delete(p.messageId);
    const lineage = keyed.map(({ keys }) => lineageKey(keys)).filter((k): k is string => !!k);
    // An earlier version of one of these patches is still being reviewed (a
    // backfill meets v1 and v2 together): this review waits until that one is
    // committed, so its lookup finds v1's findings and v2 can say "still
    // present since v1". Reading goes on meanwhile.
    const earlier = new Set<InFlight>();
    for (const { keys } of keyed) {
      for (const key of [lineageKey(keys), keys?.inReplyTo && messageKey(keys.inReplyTo)]) {
        for (const entry of (key && uncommitted.get(key)) || []) earlier.add(entry);
      }
    }
    let markCommitted!: () => void;
    const committed = new Promise<void>((resolve) => (markCommitted = resolve));
    const entry: InFlight = {
      reviews: (async () => {
        await Promise.all([...earlier].map((e) => e.committed));
        // Each patch travels with its earlier version's review, so its reply can say "still present since v1".
        const raw = await Promise.all(
          keyed.map(async ({ patch: p, keys }) => ({
            messageId: p.messageId, list: p.list, bytes: p.raw,
            source: p.seriesKey ? `${p.list} <${p.messageId}> (held for its series)` : `${p.list} <${p.messageId}>`,
            prior: keys ? await store.priorReview(keys) : undefined,
          })),
        );
        return reviewer.review(raw);
      })(),
      resolves: patches.map((p) => p.messageId),
      lineage,
      seriesKey,
      committed,
      markCommitted,
    };
    for (const k of lineage) track(k, entry);
    for (const p of patches) {
      reviewing.add(p.messageId);
      track(messageKey(p.messageId), entry);
    }
    entry.reviews.then((records) => (entry.done = records));
    inFlight.push(entry);
  };

  /** Sends the held patches of every series whose posting is now complete to review. */
  const resolveSeries = async (keys: Iterable<string>) => {
    for (const key of keys) {
      const { indexes, total } = await store.seriesIndexes(key);
      if (!postingComplete(indexes, total)) continue;
      const held = (await store.pendingPatches({ seriesKey: key })).filter((p) => !reviewing.has(p.messageId));
      if (held.length > 0) await dispatch(held, key);
    }
  };

  /** Series that stopped short: reviewed with what arrived once they have waited long enough. */
  const resolveStaleSeries = async () => {
    const bySeries = new Map<string, PendingPatch[]>();
    for (const p of await store.pendingPatches({ list })) {
      if (p.seriesKey && !reviewing.has(p.messageId)) bySeries.set(p.seriesKey, [...(bySeries.get(p.seriesKey) ?? []), p]);
    }
    const cutoff = options.now().getTime() - options.seriesWaitMs;
    for (const [key, patches] of bySeries) {
      const newest = Math.max(...patches.map((p) => (p.date ? Date.parse(p.date) : Number.NEGATIVE_INFINITY)));
      if (newest > cutoff) continue;
      log.info({ series: key, patches: patches.length }, "series incomplete after the wait; reviewing what arrived");
      await dispatch(patches, key);
    }
  };

  const take = async (bytes: Buffer, position: string, deleted: boolean): Promise<void> => {
    const scan = scanHeaders(bytes);
    if (!scan) {
      const error = new PinwatchError("PW_E_MAIL_PARSE", "no mail headers found", { subject: position });
      stats.errors++;
      log.error({ code: error.code, position }, error.message);
      batch.errors.push({ list, position, code: error.code, message: error.message });
      return;
    }
    const meta = scan.meta;
    if (meta.kind === "cover") meta.changeId = rawChangeId(bytes, scan.bodyOffset);
    if (deleted) {
      stats.deletions++;
      batch.deletions.push(meta.messageId);
      return;
    }
    // Every message is recorded as seen on this list; the commit counts which were new.
    batch.seen.push(meta);
    // Any patch of a series may be the one that completes it.
    if (meta.seriesKey) touchedSeries.add(meta.seriesKey);
    if (meta.kind !== "patch" || !needsReview(bytes, scan.bodyOffset)) return;
    // Cross-posted, or delivered twice: review nothing again. Only the few
    // patches that need a review are looked up, not every message read.
    if (inBatch.has(meta.messageId) || (await store.knownMessageIds([meta.messageId])).has(meta.messageId)) return;
    inBatch.add(meta.messageId);
    const keys = lineageKeys(meta, bytes, scan.bodyOffset);
    keysRead.set(meta.messageId, keys);
    // Stored with the message so a later RESEND finds it (the lookup computes it the same way).
    meta.patchId = keys.patchId;
    const pending: PendingPatch = { messageId: meta.messageId, seriesKey: meta.seriesKey, list, raw: Buffer.from(bytes), date: meta.date };
    batch.pending.push(pending);
    if (meta.seriesKey) {
      stats.held++;
      return;
    }
    await dispatch([pending]);
    // Reading may run ahead of reviewing, but not without bound.
    if (inFlight.length > MAX_IN_FLIGHT) await inFlight[0]!.reviews;
  };

  // What an interrupted run left awaiting review is picked up first.
  const leftOver = await store.pendingPatches({ list });
  for (const p of leftOver) if (!p.seriesKey) await dispatch([p]);
  await resolveSeries(new Set(leftOver.flatMap((p) => (p.seriesKey ? [p.seriesKey] : []))));
  const cursor = await store.cursor(source.id);
  try {
    for await (const item of source.read(cursor, { since: options.since, signal: options.signal, onTotal: options.onTotal })) {
      if (item.outOfRange) {
        if (options.moveCursor) batch.cursor = item.cursor;
        continue;
      }
      stats.read++;
      batchSize++;
      if (item.error) {
        stats.errors++;
        log.error({ code: item.error.code, position: item.position }, item.error.message);
        batch.errors.push({ list, position: item.position, code: item.error.code, message: item.error.message });
      } else {
        await take(item.bytes, item.position, item.deleted === true);
      }
      // Only once the message (or its pending review) is in the batch does its cursor join it.
      if (options.moveCursor) batch.cursor = item.cursor;
      if (batchSize >= options.commitEvery) {
        await flush(false);
        await resolveSeries(touchedSeries);
        touchedSeries.clear();
      }
      options.onProgress?.(stats);
    }
  } catch (err) {
    // The source failed mid-read (after its retries): keep what was done.
    await flush(true);
    throw err;
  }
  await flush(false);
  // Stopping (SIGTERM): what is pending stays in the store for the next run.
  if (!options.signal?.aborted) {
    await resolveSeries(touchedSeries);
    await resolveStaleSeries();
  }
  await flush(true);
  options.onProgress?.(stats);
  return stats;
}
