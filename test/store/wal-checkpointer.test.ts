// The store's WAL checkpoints run on a thread of their own: the committing
// connection never checkpoints (so never waits for an fsync), the helper
// copies the WAL back into the database once it has grown past its
// threshold, and closing leaves a database another process reads whole.
import Database from "better-sqlite3";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { WalCheckpointer } from "../../src/store/wal-checkpointer.js";
import type { MessageMeta } from "../../src/store/store.js";

const meta = (id: string): MessageMeta => ({ messageId: id, subject: `subject ${id} ${"x".repeat(200)}`, title: `t ${id}`, kind: "reply", version: 1 });
const batchOf = (ids: string[]) => ({ sourceId: "l:git", sourceType: "git", list: "l", seen: ids.map(meta), pending: [], reviews: [], resolvedPending: [], deletions: [], errors: [] });

test("commits do not checkpoint; the checkpoint thread does once the WAL is past its threshold; closing leaves everything readable", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-wal-"));
  const path = join(dir, "db.sqlite");
  try {
    const store = new SqliteStore(path);
    const ids = Array.from({ length: 3000 }, (_, i) => `m${i}@example.org`);
    for (let i = 0; i < ids.length; i += 500) await store.commit(batchOf(ids.slice(i, i + 500)));
    // Automatic checkpoints are off on the committing connection, and 3,000 short rows stay under the 4 MiB threshold: all of it is still in the WAL.
    const inWal = statSync(`${path}-wal`).size;
    assert.ok(inWal > 0);
    const before = statSync(path).size;

    // A checkpointer with a threshold this WAL is past copies it back.
    const checkpointer = new WalCheckpointer(path, 1);
    assert.equal(checkpointer.usable, true);
    checkpointer.committed();
    for (let i = 0; i < 100 && statSync(path).size === before; i++) await sleep(20);
    assert.ok(statSync(path).size > before, "the database file grew: the WAL was copied into it");
    await checkpointer.close();

    await store.close();
    assert.equal(existsSync(`${path}-wal`), false, "the last close checkpointed and removed the WAL");
    const db = new Database(path, { readonly: true });
    assert.equal((db.prepare("SELECT COUNT(*) AS n FROM messages").get() as { n: number }).n, ids.length);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("closing while a checkpoint is still running waits for the worker to exit (the checkpoint's reply does not let go of it)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-wal-"));
  const path = join(dir, "db.sqlite");
  try {
    const store = new SqliteStore(path);
    await store.commit(batchOf(Array.from({ length: 500 }, (_, i) => `c${i}@example.org`)));
    for (let round = 0; round < 5; round++) {
      const checkpointer = new WalCheckpointer(path, 1);
      checkpointer.committed();
      // No wait: the checkpoint is in flight when close() starts.
      await checkpointer.close();
    }
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
