// The SQLite store: a batch and its cursor land together or not at all;
// a message, a review and a reply are each stored once.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import type { IngestBatch, MessageMeta, ReviewRecord } from "../../src/store/store.js";

const meta = (id: string): MessageMeta => ({ messageId: id, subject: `s ${id}`, title: `s ${id}`, kind: "patch", version: 1 });
const review = (id: string): ReviewRecord => ({
  messageId: id,
  rulesetVersion: "v1",
  reviewedAt: new Date(0).toISOString(),
  findings: [{ rule: "release-mismatch", category: "release-mismatch", severity: "error", file: "a.c", line: 3, function: "f", fingerprint: "fp", message: "m", mailable: true, status: "new", firstVersion: 1, firstMessageId: id }],
  reply: { replyMessageId: `r-${id}`, idempotencyKey: `${id}\0v1`, inReplyTo: id, list: "l", raw: "raw", recipients: ["a@example.org"], subject: "Re: s" },
});
const batch = (over: Partial<IngestBatch>): IngestBatch => ({
  sourceId: "l:git", sourceType: "git", list: "l", seen: [], pending: [], reviews: [], resolvedPending: [], deletions: [], errors: [], ...over,
});

function withStore(run: (store: SqliteStore, path: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "pinwatch-store-"));
    const store = new SqliteStore(join(dir, "db.sqlite"));
    try {
      await run(store, join(dir, "db.sqlite"));
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test("a batch and its cursor are stored together", withStore(async (store) => {
  await store.commit(batch({ cursor: "0:abc", seen: [meta("a"), meta("b")], reviews: [review("a")] }));
  assert.equal(await store.cursor("l:git"), "0:abc");
  assert.deepEqual(await store.counts(), { messages: 2, reviews: 1, findings: 1, pending: 0, outbox: 1, errors: 0 });
}));

test("a batch that fails halfway leaves nothing behind, cursor included", withStore(async (store) => {
  await store.commit(batch({ cursor: "0:first", seen: [meta("a")] }));
  // A review of a message never seen breaks a foreign key after the new messages were inserted.
  await assert.rejects(store.commit(batch({ cursor: "0:second", seen: [meta("b")], reviews: [review("ghost")] })));
  assert.equal(await store.cursor("l:git"), "0:first");
  assert.equal((await store.counts()).messages, 1);
}));

test("a message seen twice, on two lists, is one message with two lists and one review", withStore(async (store) => {
  await store.commit(batch({ seen: [meta("a")], reviews: [review("a")] }));
  await store.commit(batch({ list: "other", sourceId: "other:nntp", seen: [meta("a")], reviews: [review("a")] }));
  const counts = await store.counts();
  assert.equal(counts.messages, 1);
  assert.equal(counts.reviews, 1);
  assert.equal(counts.findings, 1, "the second review adds no findings");
  assert.equal(counts.outbox, 1, "and owes no second reply");
  assert.deepEqual([...(await store.knownMessageIds(["a", "b"]))], ["a"]);
}));

test("a deletion marks the message and withdraws a reply not yet delivered", withStore(async (store) => {
  await store.commit(batch({ seen: [meta("a")], reviews: [review("a")] }));
  await store.commit(batch({ deletions: ["a"] }));
  const [entry] = await store.outboxEntries();
  assert.equal(entry?.state, "rejected");
  assert.deepEqual(await store.claimDue("test", new Date(), 10), []);
}));

test("the database survives a reopen: migrations run once", withStore(async (store, path) => {
  await store.commit(batch({ cursor: "0:x", seen: [meta("a")] }));
  const again = new SqliteStore(path);
  assert.equal(await again.cursor("l:git"), "0:x");
  await again.close();
}));
