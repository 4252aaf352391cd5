// A list that cannot be polled gets its own summary line saying why, the
// other lists are still polled, and `poll --once` exits 3 (1 is for messages
// that could not be read); the daemon prints the same line and goes on.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/fixtures.js";
import { pollerLab } from "../helpers/poller-setup.js";

const MAIN = join(ROOT, "dist", "src", "cli", "main.js");
const env = { ...process.env, PINWATCH_LOG_LEVEL: "silent" };
const demo = join(ROOT, "demo", "lore-demo.mbox");

test("poll --once: the failed list has its line, the others are polled, exit 3", () => {
  const lab = pollerLab([
    { name: "broken", source: { type: "mailbox", path: "/nonexistent/pinwatch/list.mbox" } },
    { name: "demo", source: { type: "mailbox", path: demo } },
  ]);
  try {
    const r = spawnSync(process.execPath, [MAIN, "poll", "--once", "--config", lab.configPath], { env, encoding: "utf8" });
    assert.equal(r.status, 3, r.stdout + r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.match(lines[0]!, /^broken: poll FAILED \(PW_E_SOURCE_FETCH\) \/nonexistent\/pinwatch\/list\.mbox: the mailbox does not exist; .*the next poll tries again$/);
    assert.match(lines[1]!, /^demo: 5 read, 5 new/, "the next list is still polled");
  } finally {
    lab.close();
  }
});

test("poll --once --json: the failed list is an entry with its error, still exit 3", () => {
  const lab = pollerLab([
    { name: "broken", source: { type: "mailbox", path: "/nonexistent/pinwatch/list.mbox" } },
    { name: "demo", source: { type: "mailbox", path: demo } },
  ]);
  try {
    const r = spawnSync(process.execPath, [MAIN, "poll", "--once", "--json", "--config", lab.configPath], { env, encoding: "utf8" });
    assert.equal(r.status, 3, r.stdout + r.stderr);
    const { lists } = JSON.parse(r.stdout);
    assert.equal(lists.length, 2);
    assert.equal(lists[0].list, "broken");
    assert.equal(lists[0].ok, false);
    assert.equal(lists[0].error.code, "PW_E_SOURCE_FETCH");
    assert.match(lists[0].error.message, /the mailbox does not exist/);
    assert.equal(lists[1].list, "demo");
    assert.equal(lists[1].ok, true);
    assert.equal(lists[1].stats.read, 5);
  } finally {
    lab.close();
  }
});

test("poll --once: a message that cannot be read is exit 1, not 3", () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-junk-"));
  writeFileSync(join(dir, "empty.eml"), "");
  const lab = pollerLab([{ name: "junk", source: { type: "mailbox", path: join(dir, "empty.eml") } }]);
  try {
    const r = spawnSync(process.execPath, [MAIN, "poll", "--once", "--config", lab.configPath], { env, encoding: "utf8" });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^junk: .* 1 errors$/m);
  } finally {
    lab.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the daemon prints the failed list's line and keeps polling the others", { timeout: 30_000 }, async () => {
  const lab = pollerLab([
    { name: "broken", source: { type: "mailbox", path: "/nonexistent/pinwatch/list.mbox" } },
    { name: "demo", source: { type: "mailbox", path: demo } },
  ]);
  try {
    writeFileSync(lab.configPath, "web:\n  enabled: false\n", { flag: "a" });
    const child = spawn(process.execPath, [MAIN, "run", "--config", lab.configPath], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    const started = Date.now();
    while (!stdout.includes("Ctrl-C to stop")) {
      assert.ok(Date.now() - started < 15_000, `no start-up: ${stdout}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(stdout, /^broken: poll FAILED \(PW_E_SOURCE_FETCH\)/m);
    assert.match(stdout, /^demo: 5 read/m);
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    assert.equal(await exited, 0, "a failing list does not make the daemon fail");
  } finally {
    lab.close();
  }
});
