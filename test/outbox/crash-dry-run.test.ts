// kill -9 of a dry-run outbox: once exactly between claiming a reply and
// writing its file (the file's name is a FIFO, so the write blocks right
// there), then at random moments of runs over many patches. Each restart
// exits 0 and writes what was owed at once; in the end every reply owed is
// one file, none twice.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { messageIdOf } from "../../src/mail/message-ids.js";
import { replyMessageId } from "../../src/reply/compose-reply.js";
import { safeName } from "../../src/reply/write-maildir.js";
import { RULESET_VERSION } from "../../src/review/ruleset-version.js";
import { ROOT } from "../helpers/fixtures.js";
import { gupPatch, mboxEntry } from "../helpers/mail-factory.js";
import { pollerLab, type PollerLab } from "../helpers/poller-setup.js";

const MAIN = join(ROOT, "dist", "src", "cli", "main.js");

function lab(name: string, patches: number): { lab: PollerLab; mailbox: string; cleanup(): void } {
  const mailbox = join(mkdtempSync(join(tmpdir(), "pinwatch-dry-")), "list.mbox");
  writeFileSync(mailbox, Array.from({ length: patches }, (_, i) => mboxEntry(gupPatch(`${name}-${i}`))).join(""));
  const l = pollerLab([{ name, source: { type: "mailbox", path: mailbox } }], { commitEvery: 5 }, { bot: { messageIdDomain: "pinwatch.example" } });
  return { lab: l, mailbox, cleanup: () => (l.close(), rmSync(dirname(mailbox), { recursive: true, force: true })) };
}

function pollOnce(l: PollerLab) {
  const child = spawn(process.execPath, [MAIN, "poll", "--once", "--config", l.configPath], { stdio: "ignore", env: { ...process.env, PINWATCH_LOG_LEVEL: "silent" } });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { child, exited };
}

/** Owed: replies recorded; delivered: distinct replies in new/; doubled: files beyond one per reply. */
function count(l: PollerLab): { owed: number; delivered: number; doubled: number } {
  const owed = l.query<{ n: number }>("SELECT COUNT(*) AS n FROM outbox")[0]!.n;
  const files = l.outboxFiles();
  const ids = files.map((f) => messageIdOf(/^Message-ID:(.*)$/im.exec(readFileSync(join(l.dir, "outbox", "new", f), "utf8"))?.[1]));
  return { owed, delivered: new Set(ids).size, doubled: files.length - new Set(ids).size };
}

const waitFor = async (what: string, ready: () => boolean, ms = 20_000) => {
  const until = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const states = (l: PollerLab) => {
  try {
    return l.query<{ state: string }>("SELECT state FROM outbox").map((r) => r.state);
  } catch {
    return []; // not created yet
  }
};

test("kill -9 between claiming a dry-run reply and writing its file: the restart exits 0 and writes it at once", { timeout: 60_000 }, async () => {
  const { lab: l, cleanup } = lab("dry-fifo", 4);
  try {
    // The first reply claimed is the first patch's; its file cannot be written until someone reads the FIFO.
    const first = replyMessageId("gup-dry-fifo-0@example.net", RULESET_VERSION, "pinwatch.example");
    mkdirSync(join(l.dir, "outbox", "tmp"), { recursive: true });
    const fifo = join(l.dir, "outbox", "tmp", `${safeName(first)}.pinwatch`);
    execFileSync("mkfifo", [fifo]);
    const run = pollOnce(l);
    await waitFor("the claim", () => states(l).includes("sending"));
    await new Promise((r) => setTimeout(r, 200)); // blocked opening the FIFO
    run.child.kill("SIGKILL");
    assert.equal((await run.exited).signal, "SIGKILL");
    assert.deepEqual(states(l).sort(), ["pending", "pending", "pending", "sending"], "claimed, never written");
    assert.deepEqual(l.outboxFiles(), []);
    rmSync(fifo);

    const restart = pollOnce(l);
    assert.equal((await restart.exited).code, 0);
    assert.deepEqual(states(l), ["sent", "sent", "sent", "sent"], "no waiting for a claim timeout or an in-doubt period");
    const counts = count(l);
    assert.deepEqual(counts, { owed: 4, delivered: 4, doubled: 0 });
    process.stderr.write(`dry-run kill -9 at the claim: owed ${counts.owed}, delivered ${counts.delivered}, doubled ${counts.doubled}\n`);
  } finally {
    cleanup();
  }
});

test("kill -9 at random moments of dry-run polls, then a full run: every reply owed is written once", { timeout: 120_000 }, async () => {
  const PATCHES = 60;
  const { lab: l, cleanup } = lab("dry-random", PATCHES);
  try {
    let kills = 0;
    for (let round = 0; round < 10; round++) {
      const run = pollOnce(l);
      // Most kills land once replies are being claimed and written.
      await Promise.race([run.exited, waitFor("replies owed", () => states(l).length > 0).then(() => new Promise((r) => setTimeout(r, Math.random() * 300)))]);
      run.child.kill("SIGKILL");
      if ((await run.exited).signal === "SIGKILL") kills++;
    }
    const final = pollOnce(l);
    assert.equal((await final.exited).code, 0);
    const counts = count(l);
    assert.equal(counts.owed, PATCHES);
    assert.deepEqual(counts, { owed: PATCHES, delivered: PATCHES, doubled: 0 });
    assert.ok(states(l).every((s) => s === "sent"));
    process.stderr.write(`dry-run random kill -9 (${kills} kills): owed ${counts.owed}, delivered ${counts.delivered}, doubled ${counts.doubled}\n`);
  } finally {
    cleanup();
  }
});
