// How pinwatch behaves towards the servers it reads: it names itself (with a
// contact) in a User-Agent, keeps at most N requests in flight per host,
// gives every request a timeout, and backs off exponentially with full
// jitter on errors, 429 and 503 (honouring Retry-After).
import { setTimeout as sleep } from "node:timers/promises";
import { PinwatchError, RetryableError, describeError } from "../errors.js";
import type { Logger } from "../log.js";

export interface Politeness {
  userAgent: string;
  timeoutMs: number;
  maxRetries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  limiter: HostLimiter;
  log: Logger;
}

export function userAgent(version: string, contact: string): string {
  return `pinwatch/${version} (+mailto:${contact}; GUP/pin review bot)`;
}

/** Counts requests per host; callers wait for a free slot. */
export class HostLimiter {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly maxPerHost: number) {}

  async run<T>(host: string, task: () => Promise<T>): Promise<T> {
    while ((this.active.get(host) ?? 0) >= this.maxPerHost) {
      await new Promise<void>((resolve) => this.waiting.set(host, [...(this.waiting.get(host) ?? []), resolve]));
    }
    this.active.set(host, (this.active.get(host) ?? 0) + 1);
    try {
      return await task();
    } finally {
      this.active.set(host, (this.active.get(host) ?? 1) - 1);
      const queue = this.waiting.get(host);
      const next = queue?.shift();
      if (next) next();
    }
  }
}

/** Full-jitter exponential backoff: a random delay in [0, min(max, base * 2^attempt)]. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}

/** Runs `task`, retrying RetryableErrors with backoff; other errors pass straight through. */
export async function withRetry<T>(what: string, polite: Pick<Politeness, "maxRetries" | "backoffBaseMs" | "backoffMaxMs" | "log">, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (err) {
      if (!(err instanceof RetryableError) || attempt >= polite.maxRetries || signal?.aborted) throw err;
      const delay = Math.max(err.retryAfterMs ?? 0, backoffDelay(attempt, polite.backoffBaseMs, polite.backoffMaxMs));
      polite.log.warn({ code: err.code, attempt: attempt + 1, delayMs: delay }, `${what}: ${describeError(err)}; retrying`);
      await sleep(delay, undefined, { signal }).catch(() => undefined);
    }
  }
}

function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.min(seconds * 1000, 3_600_000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.min(at - Date.now(), 3_600_000));
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Buffer;
}

/**
 * One GET, politely. 2xx, 304 and 404 are answers; 429, 5xx, timeouts,
 * resets and truncated bodies are RetryableErrors; other statuses are errors.
 */
export async function politeGet(url: string, polite: Politeness, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<HttpResult> {
  const host = new URL(url).host;
  return polite.limiter.run(host, async () => {
    const timeout = AbortSignal.timeout(polite.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    let body: Buffer;
    try {
      response = await fetch(url, { headers: { "user-agent": polite.userAgent, ...headers }, signal: combined, redirect: "follow" });
      body = Buffer.from(await response.arrayBuffer());
    } catch (cause) {
      if (signal?.aborted) throw new PinwatchError("PW_E_SOURCE_FETCH", "stopped", { subject: url, cause });
      throw new RetryableError("PW_E_SOURCE_FETCH", `request failed: ${describeError(cause)}${(cause as { cause?: Error })?.cause ? ` (${describeError((cause as { cause: Error }).cause)})` : ""}`, { subject: url, cause });
    }
    const declared = response.headers.get("content-length");
    if (declared !== null && !response.headers.get("content-encoding") && Number(declared) !== body.length) {
      throw new RetryableError("PW_E_SOURCE_FETCH", `truncated response: ${body.length} of ${declared} bytes`, { subject: url });
    }
    if (response.status === 429 || response.status >= 500) {
      throw new RetryableError("PW_E_SOURCE_FETCH", `server answered ${response.status}`, { subject: url, retryAfterMs: retryAfter(response.headers.get("retry-after")) });
    }
    if (response.status >= 400 && response.status !== 404) {
      throw new PinwatchError("PW_E_SOURCE_FETCH", `server answered ${response.status}`, { subject: url });
    }
    return { status: response.status, headers: response.headers, body };
  });
}
