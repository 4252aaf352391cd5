// Around the long-running commands: a port in use is a coded error that
// names the address, and the plain progress lines (no terminal) say what
// they count.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createProgress, deliverySummary, failedSummary } from "../../src/cli/progress.js";
import { ROOT } from "../helpers/fixtures.js";

const CLI = join(ROOT, "dist", "src", "cli", "main.js");

test("a port in use is a coded error naming the address", async () => {
  const busy = createServer();
  const port = await new Promise<number>((resolve) => busy.listen(0, "127.0.0.1", () => resolve((busy.address() as { port: number }).port)));
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-busy-"));
  const config = join(dir, "config.yaml");
  writeFileSync(config, `web:\n  port: ${port}\npoller:\n  database: ${join(dir, "db.sqlite")}\n`);
  try {
    const r = spawnSync(process.execPath, [CLI, "serve", "--config", config], { encoding: "utf8", env: { ...process.env, PINWATCH_LOG_LEVEL: "error" }, timeout: 20_000 });
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^pinwatch: PW_E_LISTEN 127\\.0\\.0\\.1:${port}: the dashboard cannot listen: the address is already in use`));
    assert.doesNotMatch(r.stderr, /unexpected failure|    at /);
  } finally {
    busy.close();
  }
});

test("plain progress lines say what they count, with or without a known total", () => {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (t: string) => lines.push(t) } as unknown as NodeJS.WriteStream;
  const stats = { read: 357, stored: 0, alreadyKnown: 0, reviewed: 1, held: 0, findings: 2, replies: 0, deletions: 0, errors: 0, findingsByRule: {}, errorsByCode: {} };
  createProgress("poll io-uring", stream).update(stats);
  assert.deepEqual(lines, ["poll io-uring: 357 messages read so far, 1 patch reviewed, 2 findings\n"]);
  lines.length = 0;
  const known = createProgress("backfill io-uring", stream);
  known.total(2000);
  known.update(stats);
  assert.deepEqual(lines, ["backfill io-uring: 2000 messages to read\n", "backfill io-uring: 357 of 2000 messages read, 1 patch reviewed, 2 findings\n"]);
});

test("a failed list's line and a sending pause show a server's control bytes, never write them", () => {
  const said = "answered \u001b]0;owned\u0007 \u202e";
  const line = failedSummary("linux-mm", Object.assign(new Error(said), { code: "PW_E_SOURCE_FETCH" }));
  assert.equal(line, "linux-mm: poll FAILED (PW_E_SOURCE_FETCH) answered \\x1b]0;owned\\x07 \\u202e; what was stored before stays, the next poll tries again");
  const stats = { written: 0, sent: 0, retrying: 0, failed: 0, rateLimited: 0, confirmedInArchive: 0, waitingForArchive: 0, errorsByCode: {}, paused: `PW_E_SMTP_CONFIG ${said}` };
  assert.match(deliverySummary(stats, "/var/outbox"), /sending paused: PW_E_SMTP_CONFIG answered \\x1b\]0;owned\\x07 \\u202e$/);
});
