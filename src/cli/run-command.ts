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
import { selectLists } from "./poll-command.js";
import { summary } from "./progress.js";

export async function runDaemon(config: Config, log: Logger, out: (t: string) => void, listName?: string): Promise<number> {
  const lists = selectLists(config, listName);
  if (typeof lists === "string") throw new PinwatchError("PW_E_USAGE", lists);
  const ctx = createPollerContext(config);
  const maintainers = await loadMaintainers(config.maintainers.file, ctx.polite.userAgent);
  const scheduler = new Scheduler(lists, ctx, (result: PollResult) => out(`${summary(result, ctx.outboxDir)}\n`), maintainers);
  // The dashboard reads the same store; a port in use is reported, and polling goes on without it.
  let web: RunningWeb | undefined;
  if (config.web.enabled) {
    try {
      web = await startDashboard(config, ctx.store, maintainers, subsystemLogger("web"));
    } catch (err) {
      log.error({ code: (err as { code?: string }).code }, `dashboard not started: ${describeError(err)}`);
    }
  }
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      out(`pinwatch: ${signal}: finishing the messages in hand, then stopping\n`);
      scheduler.stop().then(resolve, resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  await scheduler.start();
  out(`pinwatch: following ${lists.map((l) => `${l.name} (${l.schedule})`).join(", ")}; dry-run outbox ${ctx.outboxDir}${web ? `; dashboard ${web.url}` : ""}; Ctrl-C to stop\n`);
  await stopped;
  await web?.close();
  await closePollerContext(ctx);
  return 0;
}
