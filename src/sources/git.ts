// Runs git for the epoch source: clone/fetch (network, retryable), log and
// cat-file --batch (local, streamed). The git CLI is the reference reader of
// public-inbox epochs and the floor the benchmark measures against.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { PinwatchError, RetryableError } from "../errors.js";
import { CatFileFramer } from "./cat-file-framer.js";

export interface GitOptions {
  cwd?: string;
  /** Extra `-c key=value` settings (User-Agent, low-speed limits). */
  config?: Record<string, string>;
  /** Kills git after this long; network steps are retried with backoff. */
  timeoutMs?: number;
  /** Network commands fail with RetryableError. */
  network?: boolean;
  signal?: AbortSignal;
}

function gitArgs(args: string[], options: GitOptions): string[] {
  const config = Object.entries(options.config ?? {}).flatMap(([k, v]) => ["-c", `${k}=${v}`]);
  return [...config, ...args];
}

const GIT_ENV = { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "", LC_ALL: "C" };

/** Runs git to completion and returns its stdout. */
export function runGit(args: string[], options: GitOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", gitArgs(args, options), { cwd: options.cwd, env: GIT_ENV, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = options.timeoutMs ? setTimeout(() => ((timedOut = true), child.kill("SIGKILL")), options.timeoutMs) : undefined;
    const onAbort = () => child.kill("SIGTERM");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", (cause) => {
      clearTimeout(timer);
      reject(new PinwatchError("PW_E_SOURCE_FETCH", `cannot run git: ${cause.message}`, { subject: `git ${args[0]}`, cause }));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      if (code === 0) return resolve(Buffer.concat(out));
      const stderr = Buffer.concat(err).toString("utf8").trim().split("\n").slice(-3).join(" | ");
      const message = timedOut ? `git ${args[0]} timed out after ${options.timeoutMs} ms` : `git ${args[0]} failed (exit ${code}): ${stderr}`;
      const subject = args.find((a) => /^(https?:|file:|\/)/.test(a)) ?? options.cwd;
      reject(options.network ? new RetryableError("PW_E_SOURCE_FETCH", message, { subject }) : new PinwatchError("PW_E_SOURCE_FETCH", message, { subject }));
    });
  });
}

export interface Blob {
  oid: string;
  /** undefined when git reports the object missing. */
  bytes?: Buffer;
}

export interface CatFileOptions {
  /** `git cat-file` processes inflating in parallel; reading one epoch is otherwise bound by one git process. */
  readers?: number;
  /** Blobs per slice: the slices are dealt out to the readers in turn and yielded in order. */
  sliceSize?: number;
  /** A reader stops reading ahead once this many bytes wait to be taken (default 2 MiB, a few hundred messages: more only held memory). */
  readAheadBytes?: number;
}

/** One `git cat-file --batch --buffer` over a fixed list of objects, read ahead up to a bound. */
class CatFileReader {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly queue: Blob[] = [];
  private queuedBytes = 0;
  private wake?: () => void;
  private failure?: Error;
  private ended = false;
  private readonly exited: Promise<number | null>;

  constructor(
    private readonly gitDir: string,
    oids: readonly string[],
    private readonly readAheadBytes: number,
  ) {
    this.child = spawn("git", ["cat-file", "--batch", "--buffer"], { cwd: gitDir, env: GIT_ENV, stdio: ["pipe", "pipe", "pipe"] });
    const stderr: Buffer[] = [];
    this.child.stderr.on("data", (c: Buffer) => stderr.push(c));
    this.child.stdin.on("error", () => undefined);
    this.child.stdin.end(oids.join("\n") + "\n");
    this.exited = new Promise((resolve) => this.child.on("close", resolve));
    this.child.on("error", (cause) => this.fail(new PinwatchError("PW_E_SOURCE_FETCH", `cannot run git: ${cause.message}`, { subject: gitDir, cause })));
    const framer = new CatFileFramer((blob) => {
      this.queue.push(blob);
      this.queuedBytes += blob.bytes?.length ?? 0;
    });
    this.child.stdout.on("data", (chunk: Buffer) => {
      try {
        framer.push(chunk);
      } catch (err) {
        this.fail(new PinwatchError("PW_E_SOURCE_FORMAT", (err as Error).message, { subject: gitDir }));
        return;
      }
      if (this.queuedBytes > this.readAheadBytes) this.child.stdout.pause();
      this.notify();
    });
    this.child.stdout.on("end", () => {
      void this.exited.then((code) => {
        if (code !== 0 && !this.failure) {
          this.fail(new PinwatchError("PW_E_SOURCE_FETCH", `git cat-file failed (exit ${code}): ${Buffer.concat(stderr).toString("utf8").trim()}`, { subject: gitDir }));
        }
        this.ended = true;
        this.notify();
      });
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.child.stdout.destroy();
    this.child.kill("SIGTERM");
    this.notify();
  }

  /** The next blob in the order asked. */
  async next(): Promise<Blob> {
    while (this.queue.length === 0) {
      if (this.failure) throw this.failure;
      if (this.ended) throw new PinwatchError("PW_E_SOURCE_FETCH", "git cat-file ended before every object was read", { subject: this.gitDir });
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const blob = this.queue.shift()!;
    this.queuedBytes -= blob.bytes?.length ?? 0;
    if (this.queuedBytes <= this.readAheadBytes && this.child.stdout.isPaused()) this.child.stdout.resume();
    return blob;
  }

  /** Stops git (when the consumer stopped early) and waits for it to exit. */
  async close(): Promise<void> {
    if (!this.ended) {
      // A paused stdout never ends on its own, and git only exits once it does.
      this.child.stdout.destroy();
      this.child.kill("SIGTERM");
    }
    await this.exited;
  }
}

/**
 * Streams blobs through `git cat-file --batch`, in the order asked. The list
 * is cut into slices dealt out in turn to a few cat-file processes, so
 * inflating runs on more than one core while the blobs still come out in
 * order; each process reads ahead a bounded amount. Stops git if the
 * consumer stops early.
 */
export async function* catFileBatch(gitDir: string, oids: readonly string[], options: CatFileOptions = {}): AsyncGenerator<Blob> {
  if (oids.length === 0) return;
  const sliceSize = options.sliceSize ?? 256;
  const slices: (readonly string[])[] = [];
  for (let i = 0; i < oids.length; i += sliceSize) slices.push(oids.slice(i, i + sliceSize));
  const count = Math.max(1, Math.min(options.readers ?? 2, slices.length));
  const readers = Array.from({ length: count }, (_, r) => new CatFileReader(gitDir, slices.filter((_, i) => i % count === r).flat(), options.readAheadBytes ?? 2 << 20));
  try {
    for (let i = 0; i < slices.length; i++) {
      const reader = readers[i % count]!;
      for (let j = 0; j < slices[i]!.length; j++) yield await reader.next();
    }
  } finally {
    await Promise.all(readers.map((r) => r.close()));
  }
}
