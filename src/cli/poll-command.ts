// `pinwatch poll --once [--list NAME]` and `pinwatch backfill --list NAME
// --since DATE`: one pass over the lists, then exit.
import type { Config, ListConfig } from "../config/schema.js";
import { describeError, PinwatchError } from "../errors.js";
import type { Logger } from "../log.js";
import { pollList } from "../poller/poll-list.js";
import { closePollerContext, createPollerContext } from "../poller/poller-context.js";
import { isStorageError } from "../store/storage-guard.js";
import { visible, visibleJson } from "../visible-text.js";
import { createProgress, failedSummary, summary } from "./progress.js";

/** The lists a command applies to, or a usage error. */
export function selectLists(config: Config, name?: string): ListConfig[] | string {
  const enabled = config.lists.filter((l) => l.enabled);
  if (!name) return enabled.length > 0 ? enabled : "no enabled list in the configuration";
  const list = config.lists.find((l) => l.name === name);
  return list ? [list] : `no list named "${name}" (configured: ${config.lists.map((l) => l.name).join(", ") || "none"})`;
}

export async function runPollOnce(
  config: Config,
  log: Logger,
  out: (t: string) => void,
  options: { list?: string; since?: Date; json?: boolean },
): Promise<number> {
  const lists = selectLists(config, options.list);
  if (typeof lists === "string") throw new PinwatchError("PW_E_USAGE", lists);
  /** --json: the results of every list, printed once at the end. */
  const results: Record<string, unknown>[] = [];
  // A one-shot pass serves no /metrics: nothing to record them for.
  const ctx = createPollerContext(config, undefined, undefined, undefined, { metrics: false });
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  let failedLists = 0;
  let unreadable = 0;
  let storageFailed = false;
  try {
    for (const list of lists) {
      if (abort.signal.aborted) break;
      const progress = createProgress(options.since ? `backfill ${list.name}` : `poll ${list.name}`);
      try {
        const result = await pollList(list, ctx, { since: options.since, signal: abort.signal, onTotal: progress.total, onProgress: progress.update });
        progress.stop();
        if (options.json) results.push({ list: result.list, ok: result.stats.errors === 0, stats: result.stats, delivery: result.delivery });
        else out(`${summary(result, ctx.outboxDir)}\n`);
        if (result.stats.errors > 0) unreadable++;
      } catch (err) {
        progress.stop();
        const code = (err as { code?: string }).code ?? null;
        log.error({ list: list.name, code }, `poll failed: ${describeError(err)}`);
        if (options.json) results.push({ list: list.name, ok: false, error: { code, message: describeError(err) } });
        else out(`${failedSummary(list.name, err)}\n`);
        // The other lists would meet the same database: stop here, cleanly.
        if (isStorageError(err)) {
          storageFailed = true;
          process.stderr.write(`pinwatch: ${err.code} ${visible(err.message, { newlines: true })}\n`);
          break;
        }
        failedLists++;
      }
    }
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await closePollerContext(ctx);
  }
  if (options.json) out(`${visibleJson({ lists: results, outboxDir: ctx.outboxDir }, 1)}\n`);
  // 3: a list could not be polled; 1: a message could not be read, or the database failed.
  if (storageFailed) return 1;
  return failedLists > 0 ? 3 : unreadable > 0 ? 1 : 0;
}
