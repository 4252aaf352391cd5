// Polls of a local mailbox (the embedded default's source): the demo archive
// owes its replies once, and a series split across two polls is held in the
// store until its posting is complete, then reviewed with its siblings.
import assert from "node:assert/strict";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { hasShared, ROOT, SHARED } from "../helpers/fixtures.js";
import { seriesPatch } from "../helpers/mail-factory.js";
import { pollerLab } from "../helpers/poller-setup.js";

const mbox = (messages: Buffer[]) => messages.map((m) => `From pinwatch-test Thu Jan  1 00:00:00 1970\n${m.toString("utf8")}\n`).join("");

test("the demo archive: two replies, and none again on the next poll", async () => {
  const lab = pollerLab([{ name: "demo", source: { type: "mailbox", path: join(ROOT, "demo", "lore-demo.mbox") } }]);
  try {
    const first = await lab.poll("demo");
    assert.equal(first.stats.read, 5);
    assert.equal(first.delivery.written, 2);
    const second = await lab.poll("demo");
    assert.equal(second.stats.read, 0, "the cursor remembers where it stopped");
    assert.equal(lab.outboxFiles().length, 2);
  } finally {
    lab.close();
  }
});

test("a series split across polls is held until complete, then reviewed with its siblings", async () => {
  // A recent date keeps the incomplete series waiting instead of timing out.
  const lab = pollerLab([{ name: "s", source: { type: "mailbox", path: "PLACEHOLDER" } }], { seriesWaitHours: 1_000_000 });
  const path = join(lab.dir, "list.mbox");
  lab.config.lists[0]!.source = { type: "mailbox", path };
  try {
    writeFileSync(path, mbox([seriesPatch("ser", 1, 2, false), seriesPatch("ser", 2, 2, true)].slice(1)));
    const first = await lab.poll("s");
    assert.equal(first.stats.held, 1, "patch 2/2 waits for 1/2");
    assert.equal(first.stats.reviewed, 0);
    assert.equal(lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM pending_patches")[0]!.n, 1);

    appendFileSync(path, mbox([seriesPatch("ser", 1, 2, false)]));
    const second = await lab.poll("s");
    assert.equal(second.stats.read, 1);
    assert.equal(second.stats.reviewed, 1, "the posting is complete: the held patch is reviewed");
    assert.equal(lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM pending_patches")[0]!.n, 0);
    assert.equal(lab.outboxFiles().length, 1);
  } finally {
    lab.close();
  }
});

test("an incomplete series is reviewed alone once it has waited long enough", async () => {
  const lab = pollerLab([{ name: "s", source: { type: "mailbox", path: "PLACEHOLDER" } }], { seriesWaitHours: 1 });
  const path = join(lab.dir, "list.mbox");
  lab.config.lists[0]!.source = { type: "mailbox", path };
  try {
    // Dated 2025: far older than the wait.
    writeFileSync(path, mbox([seriesPatch("old", 2, 3, true)]));
    const result = await lab.poll("s");
    assert.equal(result.stats.held, 1);
    assert.equal(result.stats.reviewed, 1);
    assert.equal(lab.outboxFiles().length, 1);
  } finally {
    lab.close();
  }
});

test("hostile real-world mail (patchwork's parser inputs) goes through the poller without a crash", { skip: !hasShared && "../shared is absent" }, async () => {
  const lab = pollerLab([{ name: "hostile", source: { type: "mailbox", path: join(SHARED, "robustness", "patchwork-mail") } }]);
  try {
    const result = await lab.poll("hostile");
    assert.ok(result.stats.read > 50, `read ${result.stats.read}`);
    const counts = lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM messages")[0]!.n + lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM ingest_errors")[0]!.n;
    assert.ok(counts + result.stats.alreadyKnown >= result.stats.read, "every message is stored, or its error is");
    assert.equal(lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM pending_patches")[0]!.n, 0);
    assert.equal((await lab.poll("hostile")).stats.read, 0);
  } finally {
    lab.close();
  }
});
