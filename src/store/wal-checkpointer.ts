// Moves the store's WAL checkpoints off the thread that commits. With
// synchronous = NORMAL a commit only appends to the WAL; the fsyncs come
// with checkpoints, which SQLite runs inside the commit that crosses
// wal_autocheckpoint. On a slow disk those stalls were a third of a
// backfill's main-thread time. The committing connection turns automatic
// checkpoints off; after a commit it tells this helper how large the WAL
// is, and once it passes the threshold a worker thread with its own
// connection runs a PASSIVE checkpoint (which never blocks the writer).
// The worker starts on the first checkpoint due, so a small poll never
// starts it. Durability is unchanged: the WAL is the same, only who copies
// it back into the database differs.
import { statSync } from "node:fs";
import { Worker } from "node:worker_threads";

/** SQLite's own default: about 1,000 pages of 4 KiB. */
const DEFAULT_THRESHOLD_BYTES = 4 << 20;

export class WalCheckpointer {
  private worker?: Worker;
  private running = false;
  private failed = false;

  constructor(
    private readonly path: string,
    private readonly thresholdBytes = DEFAULT_THRESHOLD_BYTES,
  ) {}

  /** False when checkpoints cannot be moved (no worker could start): the connection must checkpoint by itself. */
  get usable(): boolean {
    return !this.failed;
  }

  /** Called after each commit: starts a checkpoint if the WAL has grown past the threshold and none is running. */
  committed(): void {
    if (this.running || this.failed) return;
    let size: number;
    try {
      size = statSync(`${this.path}-wal`).size;
    } catch {
      return;
    }
    if (size < this.thresholdBytes) return;
    try {
      this.worker ??= this.start();
    } catch {
      this.failed = true;
      return;
    }
    this.running = true;
    this.worker.ref();
    this.worker.postMessage("checkpoint");
  }

  private start(): Worker {
    // It only runs SQL: a small heap keeps its share of the process's memory small.
    const worker = new Worker(new URL("./wal-checkpoint-worker.js", import.meta.url), {
      workerData: { path: this.path },
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
    });
    worker.on("message", () => {
      this.running = false;
      // Idle, it must not keep the process alive; but once close() has begun, a checkpoint
      // finishing in the meantime must not unref the worker close() is waiting for.
      if (this.worker === worker) worker.unref();
    });
    // A checkpoint that failed leaves the WAL as it was: the next commit, or closing, tries again.
    const stop = () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.running = false;
      this.failed = true;
    };
    worker.on("error", stop);
    worker.on("exit", stop);
    worker.unref();
    return worker;
  }

  /** Stops the worker (after the checkpoint it is running); the committing connection's close does the last one. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    // Kept alive until it has closed its connection (an idle one is unref'd).
    worker.ref();
    worker.postMessage("close");
    await new Promise<void>((resolve) => {
      worker.once("exit", () => resolve());
    });
  }
}
