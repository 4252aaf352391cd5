// Takes what a source yields after the cursor and stores it, in batches that
// each commit their messages, reviews, findings, replies owed and the new
// cursor in one transaction. Most messages are only recorded as seen; a
// patch whose diff names a GUP symbol is reviewed; a patch of a series is
// held until its posting is complete (or has waited long enough) and is then
// reviewed with its siblings in view. Series state lives in the store, so it
// survives restarts and spans polls.
import { PinwatchError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Source } from "../sources/source.js";
import type { IngestBatch, PendingPatch, Store } from "../store/store.js";
import { needsReview } from "./prefilter.js";
import { reviewPosting, type ReviewContext } from "./review-posting.js";
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
}

export interface IngestOptions {
  store: Store;
  review: ReviewContext;
  log: Logger;
  /** Messages per transaction. */
  commitEvery: number;
  /** How long (by its Date) a series patch waits for its siblings. */
  seriesWaitMs: number;
  /** Read from this date on instead of from the cursor (backfill). */
  since?: Date;
  /** Move the stored cursor as messages are committed (false for a backfill over a list already followed). */
  moveCursor: boolean;
  signal?: AbortSignal;
  onTotal?: (total: number) => void;
  onProgress?: (stats: IngestStats) => void;
}

function emptyBatch(source: Source): IngestBatch {
  return { sourceId: source.id, sourceType: source.type, list: source.list, seen: [], pending: [], reviews: [], resolvedPending: [], deletions: [], errors: [] };
}

export function emptyStats(): IngestStats {
  return { read: 0, stored: 0, alreadyKnown: 0, reviewed: 0, held: 0, findings: 0, replies: 0, deletions: 0, errors: 0 };
}

export async function ingest(source: Source, options: IngestOptions): Promise<IngestStats> {
  const { store, log } = options;
  const stats = emptyStats();
  const list = source.list;
  let batch = emptyBatch(source);
  let batchSize = 0;
  const inBatch = new Set<string>();
  const touchedSeries = new Set<string>();

  const count = (b: IngestBatch) => {
    stats.reviewed += b.reviews.length;
    stats.errors += b.reviews.filter((r) => r.error).length;
    stats.findings += b.reviews.reduce((n, r) => n + r.findings.length, 0);
    stats.replies += b.reviews.filter((r) => r.reply).length;
  };
  const flush = async () => {
    if (batchSize === 0 && batch.cursor === undefined) return;
    await store.commit(batch);
    count(batch);
    batch = emptyBatch(source);
    batchSize = 0;
    inBatch.clear();
  };

  const cursor = await store.cursor(source.id);
  try {
    for await (const item of source.read(cursor, { since: options.since, signal: options.signal, onTotal: options.onTotal })) {
      stats.read++;
      batchSize++;
      if (item.error) {
        stats.errors++;
        log.error({ code: item.error.code, position: item.position }, item.error.message);
        batch.errors.push({ list, position: item.position, code: item.error.code, message: item.error.message });
      } else {
        await take(item.bytes, item.position, item.deleted === true);
      }
      // Only once the message's results are in the batch does its cursor join it.
      if (options.moveCursor) batch.cursor = item.cursor;
      if (batchSize >= options.commitEvery) {
        await flush();
        await resolveSeries([...touchedSeries]);
        touchedSeries.clear();
      }
      options.onProgress?.(stats);
    }
  } catch (err) {
    // The source failed mid-read (after its retries): keep what was done.
    await flush();
    throw err;
  }
  await flush();
  await resolveSeries([...touchedSeries]);
  await resolveStaleSeries();
  options.onProgress?.(stats);
  return stats;

  async function take(bytes: Buffer, position: string, deleted: boolean): Promise<void> {
    const scan = scanHeaders(bytes);
    if (!scan) {
      const error = new PinwatchError("PW_E_MAIL_PARSE", "no mail headers found", { subject: position });
      stats.errors++;
      log.error({ code: error.code, position }, error.message);
      batch.errors.push({ list, position, code: error.code, message: error.message });
      return;
    }
    const meta = scan.meta;
    if (deleted) {
      stats.deletions++;
      batch.deletions.push(meta.messageId);
      return;
    }
    if (inBatch.has(meta.messageId) || (await store.knownMessageIds([meta.messageId])).has(meta.messageId)) {
      // Cross-posted, or delivered twice: remember the list, review nothing again.
      stats.alreadyKnown++;
      batch.seen.push(meta);
      return;
    }
    inBatch.add(meta.messageId);
    stats.stored++;
    batch.seen.push(meta);
    if (meta.kind !== "patch" || !needsReview(bytes, scan.bodyOffset)) return;
    if (meta.seriesKey) {
      stats.held++;
      batch.pending.push({ messageId: meta.messageId, seriesKey: meta.seriesKey, list, raw: Buffer.from(bytes), date: meta.date });
      touchedSeries.add(meta.seriesKey);
      return;
    }
    batch.reviews.push(...(await reviewPosting([{ messageId: meta.messageId, list, source: position, bytes }], options.review)));
  }

  async function reviewHeld(patches: PendingPatch[]): Promise<void> {
    const reviews = await reviewPosting(
      patches.map((p) => ({ messageId: p.messageId, list: p.list, source: `${p.list} <${p.messageId}> (held for its series)`, bytes: p.raw })),
      options.review,
    );
    const resolved: IngestBatch = { ...emptyBatch(source), reviews, resolvedPending: patches.map((p) => p.messageId) };
    await store.commit(resolved);
    count(resolved);
  }

  /** Reviews the held patches of every series whose posting is now complete. */
  async function resolveSeries(keys: string[]): Promise<void> {
    for (const key of keys) {
      const { indexes, total } = await store.seriesIndexes(key);
      const have = new Set(indexes);
      const complete = total > 0 && Array.from({ length: total }, (_, i) => i + 1).every((n) => have.has(n));
      if (!complete) continue;
      const held = await store.pendingPatches({ seriesKey: key });
      if (held.length > 0) await reviewHeld(held);
    }
  }

  /** Series that stopped short: reviewed with what arrived once they have waited long enough. */
  async function resolveStaleSeries(): Promise<void> {
    const held = await store.pendingPatches({ list });
    const bySeries = new Map<string, PendingPatch[]>();
    for (const p of held) bySeries.set(p.seriesKey, [...(bySeries.get(p.seriesKey) ?? []), p]);
    const cutoff = options.review.now().getTime() - options.seriesWaitMs;
    for (const [key, patches] of bySeries) {
      const newest = Math.max(...patches.map((p) => (p.date ? Date.parse(p.date) : Number.NEGATIVE_INFINITY)));
      if (newest > cutoff) continue;
      log.info({ series: key, patches: patches.length }, "series incomplete after the wait; reviewing what arrived");
      await reviewHeld(patches);
    }
  }
}
