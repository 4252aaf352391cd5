// Politeness: full-jitter backoff, retries only for retryable errors,
// one request per host at a time, and the HTTP client's answers to 503,
// truncated bodies and timeouts.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { test } from "node:test";
import pino from "pino";
import { PinwatchError, RetryableError } from "../../src/errors.js";
import { backoffDelay, HostLimiter, politeGet, withRetry } from "../../src/sources/polite.js";

const log = pino({ level: "silent" });
const polite = { userAgent: "pinwatch/test (+mailto:ops@example.org)", timeoutMs: 300, maxRetries: 3, backoffBaseMs: 1, backoffMaxMs: 5, limiter: new HostLimiter(1), log };

test("backoff grows exponentially, is capped, and is jittered", () => {
  assert.equal(backoffDelay(0, 100, 10000, () => 0.999), 99);
  assert.equal(backoffDelay(3, 100, 10000, () => 0.999), 799);
  assert.equal(backoffDelay(20, 100, 10000, () => 0.999), 9990);
  assert.equal(backoffDelay(5, 100, 10000, () => 0), 0);
});

test("withRetry retries retryable errors, then gives up; other errors are not retried", async () => {
  let calls = 0;
  const flaky = () => (++calls < 3 ? Promise.reject(new RetryableError("PW_E_SOURCE_FETCH", "503")) : Promise.resolve("ok"));
  assert.equal(await withRetry("t", polite, flaky), "ok");
  assert.equal(calls, 3);
  calls = 0;
  await assert.rejects(withRetry("t", polite, () => (calls++, Promise.reject(new RetryableError("PW_E_SOURCE_FETCH", "503")))));
  assert.equal(calls, 4, "first try + maxRetries");
  calls = 0;
  await assert.rejects(withRetry("t", polite, () => (calls++, Promise.reject(new PinwatchError("PW_E_SOURCE_FETCH", "404")))));
  assert.equal(calls, 1);
});

test("at most N requests in flight per host", async () => {
  const limiter = new HostLimiter(1);
  let active = 0;
  let most = 0;
  const task = async () => {
    most = Math.max(most, ++active);
    await new Promise((r) => setTimeout(r, 5));
    active--;
  };
  await Promise.all([limiter.run("a", task), limiter.run("a", task), limiter.run("a", task)]);
  assert.equal(most, 1);
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

test("politeGet: User-Agent sent; 503 and truncation are retryable; slow servers time out", async () => {
  const agents: string[] = [];
  const { server, url } = await serve((req, res) => {
    agents.push(req.headers["user-agent"] ?? "");
    if (req.url === "/503") return void res.writeHead(503, { "retry-after": "1" }).end();
    if (req.url === "/short") {
      res.writeHead(200, { "content-length": "100" });
      res.write("only a part");
      return void setTimeout(() => res.socket?.destroy(), 5);
    }
    if (req.url === "/slow") return void setTimeout(() => res.end("late"), 1000);
    res.end("fine");
  });
  try {
    assert.equal((await politeGet(`${url}/ok`, polite)).body.toString(), "fine");
    assert.equal(agents[0], polite.userAgent);
    await assert.rejects(politeGet(`${url}/503`, polite), (e: RetryableError) => e instanceof RetryableError && e.retryAfterMs === 1000);
    await assert.rejects(politeGet(`${url}/short`, polite), (e: Error) => e instanceof RetryableError);
    await assert.rejects(politeGet(`${url}/slow`, polite), (e: Error) => e instanceof RetryableError);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
