// The database made immutable, removed, or its disk full while pinwatch
// writes to it: a coded PW_E_STORE_* error that names the file and a clean
// exit (status 1, no SIGBUS, no stack), and nothing committed is lost: the
// next run, once the file is writable again, finishes the job.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { PinwatchError } from "../../src/errors.js";
import { storageError } from "../../src/store/storage-guard.js";
import { ROOT } from "../helpers/fixtures.js";
import { gupPatch, mboxEntry, plainMail } from "../helpers/mail-factory.js";
import { pollerLab, type PollerLab } from "../helpers/poller-setup.js";

const MAIN = join(ROOT, "dist", "src", "cli", "main.js");
const MESSAGES = 3000;

/** chattr +i needs root and a filesystem with inode flags (ext4, xfs, btrfs). */
const canChattr = (() => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-chattr-"));
  const probe = join(dir, "probe");
  writeFileSync(probe, "x");
  const ok = spawnSync("chattr", ["+i", probe]).status === 0;
  spawnSync("chattr", ["-i", probe]);
  rmSync(dir, { recursive: true, force: true });
  return ok;
})();
/** A private mount namespace with a small tmpfs: a disk that fills up, seen by one process only. */
const canMountTmpfs = spawnSync("unshare", ["-m", "sh", "-c", "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d"]).status === 0;

function lab(name: string, database?: string): { lab: PollerLab; cleanup(): void } {
  const mailbox = join(mkdtempSync(join(tmpdir(), "pinwatch-storage-")), "list.mbox");
  const entries: string[] = [];
  for (let i = 0; i < MESSAGES; i++) entries.push(mboxEntry(i % 100 === 0 ? gupPatch(`${name}-${i}`) : plainMail(`${name}-${i}`)));
  writeFileSync(mailbox, entries.join(""));
  const l = pollerLab([{ name, source: { type: "mailbox", path: mailbox } }], { commitEvery: 20, reviewInWorker: false, ...(database ? { database } : {}) }, {});
  return { lab: l, cleanup: () => (l.close(), rmSync(dirname(mailbox), { recursive: true, force: true })) };
}

function run(args: string[], wrap?: (argv: string[]) => string[]) {
  const argv = [process.execPath, MAIN, ...args];
  const full = wrap ? wrap(argv) : argv;
  const child = spawn(full[0]!, full.slice(1), { env: { ...process.env, PINWATCH_LOG_LEVEL: "silent" } });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  child.stdout.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, output: stderr })));
  return { child, exited };
}

function stored(database: string): number {
  if (!existsSync(database)) return 0;
  try {
    const db = new Database(database, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("SELECT COUNT(*) AS n FROM messages").get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

async function untilStored(database: string, exited: Promise<unknown>): Promise<number> {
  let done = false;
  void exited.then(() => (done = true));
  for (;;) {
    const n = stored(database);
    if (n > 0 || done) return n;
    await new Promise((r) => setTimeout(r, 5));
  }
}

test("the database made immutable mid-poll: PW_E_STORE_READONLY naming it, exit 1 (no SIGBUS); the next run finishes", { skip: !canChattr && "chattr +i is not possible here (root on ext4/xfs needed)", timeout: 120_000 }, async () => {
  const { lab: l, cleanup } = lab("immutable");
  const database = l.config.poller.database;
  const files = () => [database, `${database}-wal`, `${database}-shm`].filter(existsSync);
  try {
    const poll = run(["poll", "--once", "--config", l.configPath]);
    const before = await untilStored(database, poll.exited);
    assert.ok(before > 0 && before < MESSAGES, `made immutable mid-poll (${before} of ${MESSAGES} stored)`);
    // From here on this process keeps away from the files: touching their mapping is what raises SIGBUS.
    spawnSync("chattr", ["+i", ...files()]);
    const result = await poll.exited;
    spawnSync("chattr", ["-i", ...files()]);
    assert.equal(result.signal, null, `ended by a signal: ${result.signal}`);
    assert.equal(result.code, 1);
    assert.match(result.output, /PW_E_STORE_READONLY/);
    assert.ok(result.output.includes(database), "the error names the database file");
    assert.doesNotMatch(result.output, /^\s+at /m, "no stack trace");

    assert.deepEqual(l.query("PRAGMA integrity_check"), [{ integrity_check: "ok" }]);
    const again = await run(["poll", "--once", "--config", l.configPath]).exited;
    assert.equal(again.code, 0, again.output);
    assert.equal(stored(database), MESSAGES, "nothing lost");
  } finally {
    spawnSync("chattr", ["-i", ...files()]);
    cleanup();
  }
});

test("the database removed while the daemon runs: PW_E_STORE_GONE naming it, and the daemon stops with exit 1", { timeout: 120_000 }, async () => {
  const { lab: l, cleanup } = lab("vanish");
  const database = l.config.poller.database;
  try {
    // The daemon here serves no dashboard.
    writeFileSync(l.configPath, "web:\n  enabled: false\n", { flag: "a" });
    const daemon = run(["run", "--config", l.configPath]);
    const before = await untilStored(database, daemon.exited);
    assert.ok(before > 0 && before < MESSAGES, `removed mid-poll (${before} of ${MESSAGES} stored)`);
    for (const f of [database, `${database}-wal`, `${database}-shm`]) rmSync(f, { force: true });
    const result = await daemon.exited;
    assert.equal(result.signal, null);
    assert.equal(result.code, 1);
    assert.match(result.output, /PW_E_STORE_GONE/);
    assert.ok(result.output.includes(database));
    assert.match(result.output, /the database cannot be used: finishing the messages in hand, then stopping/);
    assert.doesNotMatch(result.output, /^\s+at /m);
  } finally {
    cleanup();
  }
});

test("the disk holding the database fills up: PW_E_STORE_FULL naming it, exit 1", { skip: !canMountTmpfs && "cannot mount a tmpfs in a private mount namespace here", timeout: 120_000 }, async () => {
  const disk = mkdtempSync(join(tmpdir(), "pinwatch-full-"));
  const { lab: l, cleanup } = lab("full", join(disk, "pinwatch.sqlite"));
  try {
    // The tmpfs exists only for the poll's own mount namespace.
    const poll = run(["poll", "--once", "--config", l.configPath], (argv) => ["unshare", "-m", "sh", "-c", `mount -t tmpfs -o size=256k tmpfs "${disk}" && exec "$@"`, "sh", ...argv]);
    const result = await poll.exited;
    assert.equal(result.signal, null);
    assert.equal(result.code, 1);
    assert.match(result.output, /PW_E_STORE_FULL .*disk holding the database is full/);
    assert.ok(result.output.includes(join(disk, "pinwatch.sqlite")));
    assert.doesNotMatch(result.output, /^\s+at /m);
  } finally {
    cleanup();
    rmSync(disk, { recursive: true, force: true });
  }
});

test("SQLite's error codes become PW_E_STORE_* errors naming the file; other errors pass through", () => {
  const sqlite = (code: string) => Object.assign(new Error("sqlite says no"), { code });
  const cases: [string, string][] = [
    ["SQLITE_FULL", "PW_E_STORE_FULL"],
    ["SQLITE_READONLY_DBMOVED", "PW_E_STORE_READONLY"],
    ["SQLITE_IOERR_WRITE", "PW_E_STORE"],
    ["SQLITE_CORRUPT", "PW_E_STORE"],
  ];
  for (const [from, to] of cases) {
    const err = storageError("/var/db/pinwatch.sqlite", sqlite(from)) as PinwatchError;
    assert.equal(err.code, to, from);
    assert.equal(err.subject, "/var/db/pinwatch.sqlite");
    assert.match(err.message, new RegExp(`^/var/db/pinwatch\\.sqlite: .*\\(${from}: sqlite says no\\)$`));
  }
  const other = new PinwatchError("PW_E_OUTBOX", "no such reply");
  assert.equal(storageError("/x", other), other);
  const constraint = sqlite("SQLITE_CONSTRAINT_FOREIGNKEY");
  assert.equal(storageError("/x", constraint), constraint, "a broken constraint is no storage failure");
});
