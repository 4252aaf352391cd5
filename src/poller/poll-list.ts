// One poll of one list: fetch what is new (with retries and backoff), ingest
// it into the store, then deliver the replies owed (by each one's mode).
import type { ListConfig } from "../config/schema.js";
import { describeError, PinwatchError } from "../errors.js";
import { ingest, type IngestStats } from "../ingest/ingest.js";
import { deliverOwed, type DeliveryStats } from "../outbox/deliver.js";
import { createSource } from "../sources/create-source.js";
import type { PollerContext } from "./poller-context.js";

export interface PollOptions {
  /** Backfill: read from this date on; the cursor is set only if the list had none. */
  since?: Date;
  signal?: AbortSignal;
  onTotal?: (total: number) => void;
  onProgress?: (stats: IngestStats) => void;
}

export interface PollResult {
  list: string;
  stats: IngestStats;
  delivery: DeliveryStats;
}

export async function pollList(list: ListConfig, ctx: PollerContext, options: PollOptions = {}): Promise<PollResult> {
  const started = performance.now();
  try {
    const result = await pollOnce(list, ctx, options);
    ctx.metrics?.pollFinished(list.name, (performance.now() - started) / 1000, result.stats, result.delivery);
    return result;
  } catch (err) {
    ctx.metrics?.pollFailed(list.name, (performance.now() - started) / 1000, (err as { code?: string }).code ?? "unknown");
    throw err;
  }
}

async function pollOnce(list: ListConfig, ctx: PollerContext, options: PollOptions): Promise<PollResult> {
  const log = ctx.log.child({ list: list.name });
  const source = await createSource(list, { root: ctx.root, mirrorDir: ctx.mirrorDir, polite: { ...ctx.polite, log } });
  try {
    const cursor = await ctx.store.cursor(source.id);
    // A first poll may start at a date instead of the beginning of the archive.
    const since = options.since ?? (cursor === undefined && list.startFrom !== "beginning" ? new Date(list.startFrom) : undefined);
    try {
      await source.fetch({ signal: options.signal, cursor, since });
      await ctx.store.recordFetch(source.id, list.name, source.type, { ok: true, at: new Date() });
    } catch (err) {
      await ctx.store.recordFetch(source.id, list.name, source.type, { ok: false, error: describeError(err), at: new Date() });
      throw err instanceof PinwatchError ? err : new PinwatchError("PW_E_SOURCE_FETCH", describeError(err), { subject: list.name, cause: err });
    }
    const stats = await ingest(source, {
      store: ctx.store,
      reviewer: ctx.reviewer,
      now: () => new Date(),
      log,
      commitEvery: ctx.config.poller.commitEvery,
      seriesWaitMs: ctx.config.poller.seriesWaitHours * 3600 * 1000,
      since,
      // A backfill over a list already followed must not move its cursor backwards.
      moveCursor: options.since === undefined || cursor === undefined,
      replyMode: list.replyMode,
      signal: options.signal,
      onTotal: options.onTotal,
      onProgress: options.onProgress,
    });
    const delivery = await deliverOwed({ store: ctx.store, config: ctx.config, outboxDir: ctx.outboxDir, log: ctx.outboxLog });
    log.info({ ...stats, ...delivery }, "poll finished");
    return { list: list.name, stats, delivery };
  } finally {
    await source.close();
  }
}
