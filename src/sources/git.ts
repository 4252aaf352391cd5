// Runs git for the epoch source: clone/fetch (network, retryable), log and
// cat-file --batch (local, streamed). The git CLI is the reference reader of
// public-inbox epochs and the floor the benchmark measures against.
import { spawn } from "node:child_process";
import { PinwatchError, RetryableError } from "../errors.js";

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

/**
 * Streams blobs through one `git cat-file --batch`, in the order asked.
 * Stops git if the consumer stops early.
 */
export async function* catFileBatch(gitDir: string, oids: readonly string[]): AsyncGenerator<Blob> {
  if (oids.length === 0) return;
  const child = spawn("git", ["cat-file", "--batch"], { cwd: gitDir, env: GIT_ENV, stdio: ["pipe", "pipe", "pipe"] });
  const stderr: Buffer[] = [];
  child.stderr.on("data", (c: Buffer) => stderr.push(c));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  child.stdin.on("error", () => undefined);
  child.stdin.end(oids.join("\n") + "\n");
  let pending: Buffer = Buffer.alloc(0);
  let finished = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      let offset = 0;
      for (;;) {
        const newline = pending.indexOf(0x0a, offset);
        if (newline < 0) break;
        const header = pending.toString("latin1", offset, newline);
        if (header.endsWith(" missing")) {
          yield { oid: header.slice(0, header.indexOf(" ")) };
          offset = newline + 1;
          continue;
        }
        const size = Number(header.slice(header.lastIndexOf(" ") + 1));
        if (!Number.isInteger(size)) throw new PinwatchError("PW_E_SOURCE_FORMAT", `unexpected cat-file header "${header.slice(0, 80)}"`, { subject: gitDir });
        if (pending.length < newline + 1 + size + 1) break;
        yield { oid: header.slice(0, header.indexOf(" ")), bytes: pending.subarray(newline + 1, newline + 1 + size) };
        offset = newline + 1 + size + 1;
      }
      pending = offset >= pending.length ? Buffer.alloc(0) : pending.subarray(offset);
    }
    finished = true;
  } finally {
    if (!finished) child.kill("SIGTERM");
    const code = await exited;
    if (finished && code !== 0) {
      throw new PinwatchError("PW_E_SOURCE_FETCH", `git cat-file failed (exit ${code}): ${Buffer.concat(stderr).toString("utf8").trim()}`, { subject: gitDir });
    }
  }
}
