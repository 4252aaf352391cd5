// kill -9 of `pinwatch poll --once` in the middle of a run, then a restart:
// every message is stored exactly once, every GUP patch has exactly one
// review and one reply, nothing is left pending.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import Database from "better-sqlite3";
import { ROOT } from "../helpers/fixtures.js";
import { hasPublicInbox, LocalLore } from "../helpers/local-lore.js";
import { gupPatch, plainMail } from "../helpers/mail-factory.js";
import { pollerLab } from "../helpers/poller-setup.js";

const skip = !hasPublicInbox && "public-inbox is not installed (apt-get install public-inbox; .ci/run does)";
const MAIN = join(ROOT, "dist", "src", "cli", "main.js");
const PLAIN = 640;
const PATCHES = 80;

let lore: LocalLore;
before(async () => {
  if (skip) return;
  lore = await LocalLore.create(["crash"]);
  // One GUP patch after every PLAIN / PATCHES plain messages.
  const messages: Buffer[] = [];
  for (let p = 0; p < PATCHES; p++) {
    messages.push(gupPatch(`c${p}`, "crash@example.org"));
    for (let i = 0; i < PLAIN / PATCHES; i++) messages.push(plainMail(`c${p}-${i}`, "crash@example.org"));
  }
  lore.add("crash", messages);
});
after(async () => {
  await lore?.close();
});

function messageCount(database: string): number {
  if (!existsSync(database)) return 0;
  try {
    const db = new Database(database, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("SELECT COUNT(*) AS n FROM messages").get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created yet, or mid-migration
  }
}

test("kill -9 mid-run, then a restart: nothing lost, nothing stored or answered twice", { skip, timeout: 120_000 }, async () => {
  const lab = pollerLab([{ name: "crash", source: { type: "git", url: lore.url("crash") } }], { commitEvery: 10 });
  try {
    const database = lab.config.poller.database;
    const total = PLAIN + PATCHES;
    const patches = PATCHES;
    // First run: killed as soon as some (not all) messages are committed.
    const child = spawn(process.execPath, [MAIN, "poll", "--once", "--config", lab.configPath], { stdio: "ignore", env: { ...process.env, PINWATCH_LOG_LEVEL: "silent" } });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    let atKill = 0;
    for (;;) {
      atKill = messageCount(database);
      if (atKill > 0 || child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill("SIGKILL");
    await exited;
    assert.ok(atKill > 0 && atKill < total, `killed mid-run (${atKill} of ${total} stored)`);

    // Restart: the same command runs to the end.
    const rerun = spawn(process.execPath, [MAIN, "poll", "--once", "--config", lab.configPath], { stdio: "ignore", env: { ...process.env, PINWATCH_LOG_LEVEL: "silent" } });
    const code = await new Promise<number | null>((resolve) => rerun.on("exit", resolve));
    assert.equal(code, 0);

    assert.equal(lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM messages")[0]!.n, total, "every message stored");
    assert.equal(lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM message_lists")[0]!.n, total, "once");
    assert.equal(lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM reviews")[0]!.n, patches, "every GUP patch reviewed, once");
    assert.equal(lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM pending_patches")[0]!.n, 0, "nothing left pending");
    assert.equal(lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM outbox")[0]!.n, patches, "one reply owed per patch");
    assert.equal(lab.outboxFiles().length, patches, "and each written once");

    // A third run finds nothing new.
    const third = await lab.poll("crash");
    assert.equal(third.stats.read, 0);
  } finally {
    lab.close();
  }
});
