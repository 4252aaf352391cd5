// The daemon's clock: one node-cron task per enabled list, with noOverlap so
// a slow poll is never started twice, a first poll of every list at start,
// and a graceful stop that lets each poll finish the message in hand (the
// ingest loop checks the signal between messages and commits what it has).
import cron, { type ScheduledTask } from "node-cron";
import type { ListConfig } from "../config/schema.js";
import { describeError } from "../errors.js";
import { runScheduledDigests } from "../digest/digest-run.js";
import type { MaintainersIndex } from "../maintainers/maintainers-file.js";
import { deliverOwed } from "../outbox/deliver.js";
import { isStorageError } from "../store/storage-guard.js";
import { pollList, type PollResult } from "./poll-list.js";
import type { PollerContext } from "./poller-context.js";

export interface SchedulerHooks {
  /** A poll of a list finished. */
  onResult?: (result: PollResult) => void;
  /** A poll of a list failed (its source, or the store); the next scheduled one tries again. */
  onFailed?: (list: string, err: unknown) => void;
  /** An error that ends the daemon: the database is gone, read-only or full. */
  onFatal?: (err: Error) => void;
}

export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Map<string, Promise<PollResult | undefined>>();
  private readonly abort = new AbortController();

  constructor(
    private readonly lists: readonly ListConfig[],
    private readonly ctx: PollerContext,
    private readonly hooks: SchedulerHooks = {},
    private readonly maintainers?: MaintainersIndex,
  ) {}

  /** Storage errors end the daemon (the caller stops it); others are logged and the next run tries again. */
  private failed(err: unknown): void {
    if (isStorageError(err)) this.hooks.onFatal?.(err);
  }

  /** Polls one list unless a poll of it is already running. */
  pollNow(list: ListConfig): Promise<PollResult | undefined> {
    const current = this.running.get(list.name);
    if (current) return current;
    const run = pollList(list, this.ctx, { signal: this.abort.signal })
      .then((result) => {
        this.hooks.onResult?.(result);
        return result;
      })
      .catch((err: unknown) => {
        this.ctx.log.error({ list: list.name, code: (err as { code?: string }).code }, `poll failed: ${describeError(err)}`);
        this.hooks.onFailed?.(list.name, err);
        this.failed(err);
        return undefined;
      })
      .finally(() => this.running.delete(list.name));
    this.running.set(list.name, run);
    return run;
  }

  /** Sends what is due (retries, approved replies) between polls, on the outbox schedule. */
  private async deliverDue(): Promise<void> {
    if (this.abort.signal.aborted) return;
    const ctx = this.ctx;
    try {
      ctx.metrics?.deliveryFinished(await deliverOwed({ store: ctx.store, config: ctx.config, outboxDir: ctx.outboxDir, log: ctx.outboxLog }));
    } catch (err) {
      ctx.metrics?.error((err as { code?: string }).code ?? "unknown");
      ctx.outboxLog.error({ code: (err as { code?: string }).code }, `delivery failed: ${describeError(err)}`);
      this.failed(err);
    }
  }

  /** Records each configured recipient's digest, then delivers it with the rest of the outbox. */
  private async sendDigests(): Promise<void> {
    if (this.abort.signal.aborted) return;
    const ctx = this.ctx;
    try {
      const queued = await runScheduledDigests(ctx.store, ctx.config, this.maintainers, new Date());
      ctx.outboxLog.info({ digests: queued }, "digests recorded");
      await this.deliverDue();
    } catch (err) {
      ctx.outboxLog.error({ code: (err as { code?: string }).code }, `digest failed: ${describeError(err)}`);
      this.failed(err);
    }
  }

  /** Polls every list once now, then on each list's schedule. */
  async start(): Promise<void> {
    this.tasks.push(cron.schedule(this.ctx.config.outbox.schedule, () => this.deliverDue(), { name: "outbox", noOverlap: true }));
    if (this.ctx.config.digest.recipients.length > 0) {
      this.tasks.push(cron.schedule(this.ctx.config.digest.schedule, () => this.sendDigests(), { name: "digest", noOverlap: true }));
    }
    for (const list of this.lists) {
      this.tasks.push(
        cron.schedule(list.schedule, () => (this.abort.signal.aborted ? undefined : this.pollNow(list)), { name: `poll ${list.name}`, noOverlap: true }),
      );
    }
    await Promise.all(this.lists.map((l) => this.pollNow(l)));
  }

  /** Stops the schedules and waits for polls in flight to commit and end. */
  async stop(): Promise<void> {
    this.abort.abort();
    for (const task of this.tasks) await task.stop();
    await Promise.all(this.running.values());
    for (const task of this.tasks) await task.destroy();
  }
}
