// Everything a poll needs, built once per process from the config: the
// store, the politeness settings shared by all sources, and the review
// context. main.ts and the tests build it; nothing else opens the store.
import { isAbsolute, resolve } from "node:path";
import { VERSION } from "../cli/version.js";
import { projectRoot } from "../config/load-config.js";
import type { Config } from "../config/schema.js";
import { InProcessReviewer, WorkerReviewer, type Reviewer } from "../ingest/reviewer.js";
import { subsystemLogger, type Logger } from "../log.js";
import { PinwatchMetrics } from "../ops/metrics.js";
import { RULESET_VERSION } from "../review/ruleset-version.js";
import { HostLimiter, userAgent, type Politeness } from "../sources/polite.js";
import { SqliteStore } from "../store/sqlite-store.js";
import type { Store } from "../store/store.js";

export interface PollerContext {
  config: Config;
  store: Store;
  polite: Politeness;
  reviewer: Reviewer;
  log: Logger;
  /** The outbox's own logger (subsystem "outbox"). */
  outboxLog: Logger;
  root: string;
  mirrorDir: string;
  outboxDir: string;
  /** What this process did, for /metrics; none for a one-shot command, which serves no /metrics. */
  metrics?: PinwatchMetrics;
}

/** Resolves a configured path against the project root. */
export function projectPath(path: string, root = projectRoot): string {
  return isAbsolute(path) ? path : resolve(root, path);
}

/** `log` is the poller's logger; reviews log under their own subsystem. */
/** Closes what the context opened: the review worker and the store. */
export async function closePollerContext(ctx: PollerContext): Promise<void> {
  await ctx.reviewer.close();
  await ctx.store.close();
}

/** How this process behaves towards the servers it asks (sources, archive lookups), from the config. */
export function politeness(config: Pick<Config, "poller" | "bot">, log: Logger): Politeness {
  const p = config.poller;
  return {
    userAgent: userAgent(VERSION, config.bot.contact),
    timeoutMs: p.requestTimeoutSeconds * 1000,
    maxRetries: p.maxRetries,
    backoffBaseMs: p.backoffBaseMs,
    backoffMaxMs: p.backoffMaxMs,
    limiter: new HostLimiter(p.maxInFlightPerHost),
    log,
  };
}

export function createPollerContext(
  config: Config,
  log: Logger = subsystemLogger("poller"),
  given?: Store,
  outboxLog: Logger = subsystemLogger("outbox"),
  options: { metrics?: boolean } = {},
): PollerContext {
  const p = config.poller;
  const store = given ?? new SqliteStore(projectPath(p.database));
  const metrics = options.metrics === false ? undefined : new PinwatchMetrics(store);
  const timed = metrics ? (seconds: number) => metrics.reviewed(seconds) : undefined;
  return {
    config,
    store,
    metrics,
    polite: politeness(config, log),
    reviewer: p.reviewInWorker
      ? new WorkerReviewer({ config, rulesetVersion: RULESET_VERSION, version: VERSION }, log, timed)
      : new InProcessReviewer(async () => ({
          rules: (await import("../rules/index.js")).ALL_RULES,
          rulesetVersion: RULESET_VERSION,
          version: VERSION,
          config,
          log: subsystemLogger("review"),
          now: () => new Date(),
        }), timed),
    log,
    outboxLog,
    root: projectRoot,
    mirrorDir: projectPath(p.mirrorDir),
    outboxDir: projectPath(config.outbox.dir),
  };
}
