// The poller against a real public-inbox (Debian's public-inbox-httpd and
// public-inbox-nntpd) on loopback, over inboxes built from the tests' own
// messages: git epochs (first clone, incremental fetch, a new epoch, a
// deletion), NNTP, Atom + raw, faults (503, truncated responses, a server
// that is down), and one message on two lists.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FaultProxy } from "../helpers/fault-proxy.js";
import { freePort, hasPublicInbox, LocalLore } from "../helpers/local-lore.js";
import { gupPatch, plainMail } from "../helpers/mail-factory.js";
import { pollerLab } from "../helpers/poller-setup.js";

const skip = !hasPublicInbox && "public-inbox is not installed (apt-get install public-inbox; .ci/run does)";

describe("polling a real public-inbox on loopback", { skip }, () => {
  let lore: LocalLore;
  before(async () => {
    lore = await LocalLore.create(["alpha", "beta", "gamma", "delta"]);
  });
  after(async () => {
    await lore?.close();
  });

  test("git epochs: first clone, incremental fetch, a new epoch, a deletion", async () => {
    const lab = pollerLab([{ name: "alpha", source: { type: "git", url: lore.url("alpha") } }]);
    try {
      const removed = plainMail("a-removed", "alpha@example.org");
      lore.add("alpha", [gupPatch("a1", "alpha@example.org"), plainMail("a1", "alpha@example.org"), plainMail("a2", "alpha@example.org")]);
      const first = await lab.poll("alpha");
      assert.equal(first.stats.read, 3);
      assert.equal(first.stats.stored, 3);
      assert.equal(first.stats.reviewed, 1, "only the GUP patch is reviewed");
      assert.equal(lab.outboxFiles().length, 1, "its reply is in the dry-run outbox");
      const [cursor] = lab.query<{ cursor: string }>("SELECT cursor FROM sources WHERE source_id = 'alpha:git'");
      assert.match(cursor!.cursor, /^0:[0-9a-f]{40}$/);

      lore.add("alpha", [gupPatch("a2", "alpha@example.org"), removed]);
      const second = await lab.poll("alpha");
      assert.equal(second.stats.read, 2, "only what arrived since the last poll");
      assert.equal(second.stats.reviewed, 1);
      assert.equal(lab.outboxFiles().length, 2);

      lore.add("alpha", [plainMail("a3", "alpha@example.org")], { newEpoch: true });
      const third = await lab.poll("alpha");
      assert.equal(third.stats.read, 1, "the new epoch is discovered and read");
      const [after3] = lab.query<{ cursor: string }>("SELECT cursor FROM sources WHERE source_id = 'alpha:git'");
      assert.match(after3!.cursor, /^1:/);

      lore.remove(removed);
      const fourth = await lab.poll("alpha");
      assert.equal(fourth.stats.deletions, 1);
      const [row] = lab.query<{ deleted_at: string | null }>("SELECT deleted_at FROM messages WHERE message_id = 'plain-a-removed@example.org'");
      assert.ok(row?.deleted_at, "the deletion is recorded on the message");

      const fifth = await lab.poll("alpha");
      assert.equal(fifth.stats.read, 0, "nothing new, nothing read");
      assert.equal(lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM reviews")[0]!.n, 2);
      assert.equal(lab.outboxFiles().length, 2, "no reply twice");
    } finally {
      lab.close();
    }
  });

  test("nntp: GROUP high-water mark, ARTICLE by number, incremental", async () => {
    const lab = pollerLab([{ name: "beta", source: { type: "nntp", host: "127.0.0.1", port: lore.nntpPort, group: lore.group("beta") } }]);
    try {
      lore.add("beta", [gupPatch("b1", "beta@example.org"), plainMail("b1", "beta@example.org")]);
      const first = await lab.poll("beta");
      assert.equal(first.stats.read, 2);
      assert.equal(first.stats.reviewed, 1);
      lore.add("beta", [plainMail("b2", "beta@example.org"), gupPatch("b2", "beta@example.org")]);
      const second = await lab.poll("beta");
      assert.equal(second.stats.read, 2);
      assert.equal(second.stats.reviewed, 1);
      const [cursor] = lab.query<{ cursor: string }>("SELECT cursor FROM sources WHERE source_id = 'beta:nntp'");
      assert.equal(cursor!.cursor, `${lore.group("beta")}:4`);
      assert.equal(lab.outboxFiles().length, 2);
      assert.equal((await lab.poll("beta")).stats.read, 0);
    } finally {
      lab.close();
    }
  });

  test("atom + raw through a misbehaving proxy: 503s, a truncated body and a reset are retried; nothing lost", async () => {
    const proxy = new FaultProxy(await freePort(), lore.httpPort);
    await proxy.up();
    const url = `http://127.0.0.1:${proxy.port}/gamma`;
    const lab = pollerLab([{ name: "gamma", source: { type: "atom", url } }]);
    try {
      lore.add("gamma", [gupPatch("g1", "gamma@example.org"), plainMail("g1", "gamma@example.org"), plainMail("g2", "gamma@example.org")]);
      proxy.inject("503", 2, /new\.atom/);
      proxy.inject("truncate", 1, /\/raw$/);
      proxy.inject("reset", 1, /\/raw$/);
      const first = await lab.poll("gamma");
      assert.equal(proxy.pendingFaults(), 0, "every fault was hit");
      assert.equal(first.stats.read, 3);
      assert.equal(first.stats.reviewed, 1);
      assert.equal(lab.outboxFiles().length, 1);
      assert.ok(proxy.seen.every((r) => /^pinwatch\/\S+ \(\+mailto:pinwatch-admins@localhost/.test(r.userAgent ?? "")), "every request names pinwatch and a contact");

      lore.add("gamma", [plainMail("g3", "gamma@example.org")]);
      const second = await lab.poll("gamma");
      assert.equal(second.stats.read, 1, "only the new entry is fetched");

      // The server is down: the poll fails after its retries, records why, stores nothing.
      await proxy.down();
      lore.add("gamma", [gupPatch("g2", "gamma@example.org")]);
      await assert.rejects(lab.poll("gamma"), (err: { code?: string }) => err.code === "PW_E_SOURCE_FETCH");
      const [state] = lab.query<{ last_error: string; consecutive_failures: number }>("SELECT last_error, consecutive_failures FROM sources WHERE source_id = 'gamma:atom'");
      assert.match(state!.last_error, /request failed/);
      assert.equal(state!.consecutive_failures, 1);
      await proxy.up();
      const third = await lab.poll("gamma");
      assert.equal(third.stats.read, 1, "the message that arrived while the server was down");
      assert.equal(third.stats.reviewed, 1);
      assert.equal(lab.outboxFiles().length, 2);
    } finally {
      lab.close();
      await proxy.down();
    }
  });

  test("git clone through a 503 is retried with backoff", async () => {
    const proxy = new FaultProxy(await freePort(), lore.httpPort);
    await proxy.up();
    const lab = pollerLab([{ name: "delta", source: { type: "git", url: `http://127.0.0.1:${proxy.port}/delta` } }]);
    try {
      lore.add("delta", [gupPatch("d1", "delta@example.org")]);
      proxy.inject("503", 1, /manifest/);
      proxy.inject("503", 1, /info\/refs/);
      const result = await lab.poll("delta");
      assert.equal(proxy.pendingFaults(), 0);
      assert.equal(result.stats.read, 1);
      assert.equal(lab.outboxFiles().length, 1);
      assert.ok(proxy.seen.some((r) => /info\/refs/.test(r.url) && /^pinwatch\//.test(r.userAgent ?? "")), "git says who it is too");
    } finally {
      lab.close();
      await proxy.down();
    }
  });

  test("the same message on two lists is stored once, reviewed once, answered once", async () => {
    const lab = pollerLab([
      { name: "alpha", source: { type: "git", url: lore.url("alpha") } },
      { name: "beta", source: { type: "nntp", host: "127.0.0.1", port: lore.nntpPort, group: lore.group("beta") } },
    ]);
    try {
      const crossPosted = gupPatch("both", "alpha@example.org, beta@example.org");
      lore.add("alpha", [crossPosted]);
      lore.add("beta", [crossPosted]);
      await lab.poll("alpha");
      const second = await lab.poll("beta");
      assert.ok(second.stats.alreadyKnown >= 1);
      const id = "gup-both@example.net";
      assert.equal(lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM messages WHERE message_id = ?", id)[0]!.n, 1);
      assert.deepEqual(lab.query<{ list: string }>("SELECT list FROM message_lists WHERE message_id = ? ORDER BY list", id).map((r) => r.list), ["alpha", "beta"]);
      assert.equal(lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM reviews WHERE message_id = ?", id)[0]!.n, 1);
      assert.equal(lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE in_reply_to = ?", id)[0]!.n, 1);
    } finally {
      lab.close();
    }
  });
});
