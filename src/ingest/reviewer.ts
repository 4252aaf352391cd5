// Where reviews run. Reading, filtering and storing are I/O-bound and stay on
// the main thread; the review itself (MIME parsing, C parsing, rules) is CPU
// work and runs in a worker thread by default, so a backfill reads the next
// messages while earlier patches are reviewed. The worker (and with it the
// rules, the engine and the C grammar) starts when the first patch needs a
// review, not before: most polls of most lists bring none. A crashed worker fails only
// the reviews it held (recorded as errors, so the poll moves on) and is
// replaced for the next ones.
import { Worker } from "node:worker_threads";
import type { Config } from "../config/schema.js";
import type { Logger } from "../log.js";
import type { ReviewRecord } from "../store/store.js";
import type { RawPatch, ReviewContext } from "./review-posting.js";

export interface Reviewer {
  review(patches: readonly RawPatch[]): Promise<ReviewRecord[]>;
  close(): Promise<void>;
}

/** Told how long each posting's review took (seconds), for /metrics. */
export type ReviewTimer = (seconds: number) => void;

export class InProcessReviewer implements Reviewer {
  private ctx?: Promise<ReviewContext>;
  /** The context is built on first use: loading the rules and parsers costs startup time. */
  constructor(
    private readonly context: () => Promise<ReviewContext>,
    private readonly onReviewed?: ReviewTimer,
  ) {}
  async review(patches: readonly RawPatch[]): Promise<ReviewRecord[]> {
    const { reviewPosting } = await import("./review-posting.js");
    this.ctx ??= this.context();
    const ctx = await this.ctx;
    const started = performance.now();
    const records = await reviewPosting(patches, ctx);
    this.onReviewed?.((performance.now() - started) / 1000);
    return records;
  }
  async close(): Promise<void> {}
}

export interface WorkerSetup {
  config: Config;
  rulesetVersion: string;
  version: string;
}

interface Waiting {
  patches: readonly RawPatch[];
  resolve: (records: ReviewRecord[]) => void;
}

export class WorkerReviewer implements Reviewer {
  private worker?: Worker;
  private nextId = 0;
  private readonly waiting = new Map<number, Waiting>();

  constructor(
    private readonly setup: WorkerSetup,
    private readonly log: Logger,
    private readonly onReviewed?: ReviewTimer,
  ) {}

  private start(): Worker {
    const worker = new Worker(new URL("./review-worker.js", import.meta.url), { workerData: this.setup });
    worker.on("message", (reply: { id: number; records: ReviewRecord[]; seconds?: number }) => {
      // Timed in the worker: the review alone, not its wait in the queue.
      if (reply.seconds !== undefined) this.onReviewed?.(reply.seconds);
      const w = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      w?.resolve(reply.records);
    });
    const fail = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (this.waiting.size > 0) this.log.error({ code: "PW_E_DIFF_PARSE", reviews: this.waiting.size }, `review worker ${why}; its reviews are recorded as failed`);
      for (const [id, w] of this.waiting) {
        this.waiting.delete(id);
        w.resolve(w.patches.map((p) => ({
          messageId: p.messageId, rulesetVersion: this.setup.rulesetVersion, reviewedAt: new Date().toISOString(), findings: [],
          error: { code: "PW_E_DIFF_PARSE", message: `${p.source}: review worker ${why}` },
        })));
      }
    };
    worker.on("error", (err) => fail(`crashed: ${err.message}`));
    worker.on("exit", (code) => fail(`exited with code ${code}`));
    // An idle worker must not keep the process alive.
    worker.unref();
    return worker;
  }

  review(patches: readonly RawPatch[]): Promise<ReviewRecord[]> {
    this.worker ??= this.start();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, { patches, resolve });
      this.worker!.ref();
      this.worker!.postMessage({ id, patches });
    }).finally(() => {
      if (this.waiting.size === 0) this.worker?.unref();
    }) as Promise<ReviewRecord[]>;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
