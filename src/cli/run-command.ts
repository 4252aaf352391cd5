// `pinwatch run` (npm start) and `pinwatch poll`: the scheduled daemon.
// Every enabled list is polled once at start, then on its cron schedule,
// until SIGTERM or SIGINT, which let the polls in flight finish the message
// in hand and commit before the process exits.
import type { Config } from "../config/schema.js";
import { describeError, PinwatchError } from "../errors.js";
import { subsystemLogger, type Logger } from "../log.js";
import { loadMaintainers } from "../maintainers/load-maintainers.js";
import type { RunningWeb } from "../web/start-web.js";
import { startDashboard } from "./start-dashboard.js";
import type { PollResult } from "../poller/poll-list.js";
import { closePollerContext, createPollerContext } from "../poller/poller-context.js";
import { Scheduler } from "../poller/scheduler.js";
import { visible } from "../visible-text.js";
import { selectLists } from "./poll-command.js";
import { failedSummary, summary } from "./progress.js";

export async function runDaemon(config: Config, log: Logger, out: (t: string) => void, listName?: string): Promise<number> {
  const lists = selectLists(config, listName);
  if (typeof lists === "string") throw new PinwatchError("PW_E_USAGE", lists);
  const ctx = createPollerContext(config);
  const maintainers = await loadMaintainers(config.maintainers.file, ctx.polite.userAgent);
  // A database that is gone, read-only or full stops the daemon: nothing it does could be kept.
  let fatal: PinwatchError | undefined;
  let stop: (why: string) => void = () => undefined;
  const onFatal = (err: Error) => {
    if (fatal) return;
    fatal = err as PinwatchError;
    process.stderr.write(`pinwatch: ${fatal.code} ${visible(fatal.message, { newlines: true })}\n`);
    stop("the database cannot be used");
  };
  const scheduler = new Scheduler(
    lists,
    ctx,
    {
      onResult: (result: PollResult) => out(`${summary(result, ctx.outboxDir)}\n`),
      onFailed: (list, err) => out(`${failedSummary(list, err)}\n`),
      onFatal,
    },
    maintainers,
  );
  // The dashboard reads the same store; a port in use is reported, and polling goes on without it.
  let web: RunningWeb | undefined;
  if (config.web.enabled) {
    try {
      web = await startDashboard(config, ctx.store, maintainers, subsystemLogger("web"), ctx.metrics);
    } catch (err) {
      log.error({ code: (err as { code?: string }).code }, `dashboard not started: ${describeError(err)}`);
    }
  }
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    stop = (why: string) => {
      if (stopping) return;
      stopping = true;
      out(`pinwatch: ${why}: finishing the messages in hand, then stopping\n`);
      scheduler.stop().then(resolve, resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  await scheduler.start();
  if (!fatal) out(`pinwatch: following ${lists.map((l) => `${l.name} (${l.schedule})`).join(", ")}; dry-run outbox ${ctx.outboxDir}${web ? `; dashboard ${web.url}` : ""}; Ctrl-C to stop\n`);
  await stopped;
  await web?.close();
  await closePollerContext(ctx);
  return fatal ? 1 : 0;
}
