// Builds a validated config for poller tests (quick backoff, temp paths) and
// runs polls in process, the way `pinwatch poll --once` does.
import Database from "better-sqlite3";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { loadConfig } from "../../src/config/load-config.js";
import type { Config, ListConfig } from "../../src/config/schema.js";
import pino from "pino";
import { pollList, type PollResult } from "../../src/poller/poll-list.js";
import { closePollerContext, createPollerContext } from "../../src/poller/poller-context.js";
import { deliverOwed, type DeliveryStats } from "../../src/outbox/deliver.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";

// Quiet unless asked: review workers read the level from the environment too.
process.env.PINWATCH_LOG_LEVEL ||= "silent";

export interface PollerLab {
  dir: string;
  config: Config;
  configPath: string;
  poll(list: string): Promise<PollResult>;
  /** Runs the outbox delivery once, as the daemon's outbox schedule does. */
  deliver(): Promise<DeliveryStats>;
  /** Opens the store for the length of `run`. */
  withStore<T>(run: (store: SqliteStore) => Promise<T>): Promise<T>;
  outboxFiles(): string[];
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
  close(): void;
}

export function pollerLab(lists: unknown[], poller: Record<string, unknown> = {}, more: { outbox?: Record<string, unknown>; bot?: Record<string, unknown> } = {}): PollerLab {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-poller-"));
  const configPath = join(dir, "config.yaml");
  writeFileSync(
    configPath,
    stringify({
      poller: {
        database: join(dir, "pinwatch.sqlite"),
        mirrorDir: join(dir, "mirrors"),
        requestTimeoutSeconds: 5,
        maxRetries: 4,
        backoffBaseMs: 5,
        backoffMaxMs: 40,
        ...poller,
      },
      lists,
      outbox: { dir: join(dir, "outbox"), ...more.outbox },
      ...(more.bot ? { bot: more.bot } : {}),
    }),
  );
  const config = loadConfig(configPath);
  const log = pino({ level: process.env.PINWATCH_LOG_LEVEL }).child({ subsystem: "poller", test: true });
  return {
    dir,
    config,
    configPath,
    async poll(name: string) {
      const ctx = createPollerContext(config, log, undefined, log.child({ outbox: true }));
      try {
        return await pollList(config.lists.find((l: ListConfig) => l.name === name)!, ctx);
      } finally {
        await closePollerContext(ctx);
      }
    },
    async deliver() {
      const store = new SqliteStore(config.poller.database);
      try {
        return await deliverOwed({ store, config, outboxDir: join(dir, "outbox"), log: log.child({ outbox: true }) });
      } finally {
        await store.close();
      }
    },
    async withStore(run) {
      const store = new SqliteStore(config.poller.database);
      try {
        return await run(store);
      } finally {
        await store.close();
      }
    },
    outboxFiles() {
      try {
        return readdirSync(join(dir, "outbox", "new")).sort();
      } catch {
        return [];
      }
    },
    query<T>(sql: string, ...params: unknown[]): T[] {
      const db = new Database(config.poller.database, { readonly: true, fileMustExist: true });
      try {
        return db.prepare(sql).all(...params) as T[];
      } finally {
        db.close();
      }
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
