// The poller's commands as an operator runs them: the daemon (npm start's
// `run`) ingests the demo archive within seconds and stops cleanly on
// SIGTERM; `backfill` reads from a date on; usage errors exit 2.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/fixtures.js";
import { pollerLab } from "../helpers/poller-setup.js";

const MAIN = join(ROOT, "dist", "src", "cli", "main.js");
const env = { ...process.env, PINWATCH_LOG_LEVEL: "error" };
const demo = join(ROOT, "demo", "lore-demo.mbox");

test("run: the demo is ingested and its replies are in the outbox within seconds; SIGTERM stops it cleanly", { timeout: 30_000 }, async () => {
  const lab = pollerLab([{ name: "demo", source: { type: "mailbox", path: demo } }]);
  try {
    const child = spawn(process.execPath, [MAIN, "run", "--config", lab.configPath], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    const started = Date.now();
    while (!stdout.includes("Ctrl-C to stop")) {
      assert.ok(Date.now() - started < 15_000, `no start-up summary: ${stdout}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(stdout, /demo: 5 read, 5 new/);
    assert.equal(lab.outboxFiles().length, 2);
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
    assert.match(stdout, /SIGTERM: finishing the messages in hand/);
  } finally {
    lab.close();
  }
});

test("backfill --since reads only the mail from that date on and sets the cursor of a new list", () => {
  const lab = pollerLab([{ name: "demo", source: { type: "mailbox", path: demo } }]);
  try {
    const r = spawnSync(process.execPath, [MAIN, "backfill", "--list", "demo", "--since", "2025-06-01", "--config", lab.configPath], { env, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /demo: 1 read/, "only the June 2025 patch");
    assert.equal(lab.query<{ cursor: string }>("SELECT cursor FROM sources")[0]!.cursor, "5");
    const again = spawnSync(process.execPath, [MAIN, "poll", "--once", "--config", lab.configPath], { env, encoding: "utf8" });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /demo: 0 read/);
  } finally {
    lab.close();
  }
});

test("usage errors exit 2 and say what is missing", () => {
  const noList = spawnSync(process.execPath, [MAIN, "backfill", "--since", "2025-01-01"], { env, encoding: "utf8" });
  assert.equal(noList.status, 2);
  assert.match(noList.stderr, /PW_E_USAGE backfill needs --list NAME and --since DATE/);
  const badList = spawnSync(process.execPath, [MAIN, "poll", "--once", "--list", "no-such-list"], { env, encoding: "utf8" });
  assert.equal(badList.status, 2);
  assert.match(badList.stderr, /no list named "no-such-list" \(configured: demo\)/);
});

test("a bad list setting is a config error naming it", () => {
  const lab = pollerLab([{ name: "x", source: { type: "mailbox", path: demo } }]);
  try {
    const bad = join(lab.dir, "bad.yaml");
    writeFileSync(bad, "lists:\n  - name: x\n    schedule: every now and then\n    source: {type: git}\n");
    const r = spawnSync(process.execPath, [MAIN, "poll", "--once", "--config", bad], { env, encoding: "utf8" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /PW_E_CONFIG/);
    assert.match(r.stderr, /lists\.0\.source\.url/);
    assert.match(r.stderr, /lists\.0\.schedule: not a valid cron expression/);
  } finally {
    lab.close();
  }
});
