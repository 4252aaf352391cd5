// The author of a patch sent through b4's web relay (or by someone else) is
// its in-body From: v1 mailed by the author directly and v2 through the
// relay are one author's two versions, in the version lineage and on the
// dashboard, and v2's reply greets and addresses that author.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { summariseSeries } from "../../src/web/dashboard-data.js";
import { readFixture } from "../helpers/fixtures.js";
import { pollerLab } from "../helpers/poller-setup.js";

const RELAYED = readFixture("mail", "b4-relay-in-body-from.eml").toString("utf8");

/** v1 as the author sent it herself: her own From, no relay headers, no in-body From. */
const DIRECT_V1 = RELAYED.replace(/^From: .*$/m, "From: Ada Example <ada@example.org>")
  .replace(/^(X-Endpoint-Received|X-Original-From|Reply-To): .*\n/gm, "")
  .replace("\nFrom: Ada Example <ada@example.org>\n", "")
  .replace("[PATCH v2]", "[PATCH]")
  .replace(/^Message-Id: .*$/m, "Message-Id: <20250603-foo-pin-v1-1-0badc0de@example.org>")
  .replace(/^Date: .*$/m, "Date: Tue, 03 Jun 2025 09:00:00 +0200")
  .replace("pinned long-term.", "pinned long-term. First version.")
  .replace("if (got < 0)", "if (got <= 0)");

test("v1 sent directly and v2 through the B4 relay: one author, linked versions, one series on the dashboard", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-author-"));
  const mbox = join(dir, "kvm.mbox");
  writeFileSync(mbox, [DIRECT_V1, RELAYED].map((m) => `From x Thu Jan  1 00:00:00 1970\n${m}\n`).join(""));
  const lab = pollerLab([{ name: "kvm", source: { type: "mailbox", path: mbox } }]);
  try {
    await lab.poll("kvm");
    assert.deepEqual(lab.query("SELECT message_id, from_address FROM messages ORDER BY message_id"), [
      { message_id: "20250603-foo-pin-v1-1-0badc0de@example.org", from_address: "ada@example.org" },
      { message_id: "20250610-foo-pin-v2-1-0badc0de@example.org", from_address: "ada@example.org" },
    ]);
    const [, v2] = lab.query<{ predecessor: string | null }>("SELECT predecessor FROM reviews ORDER BY review_id");
    assert.equal(v2!.predecessor, "20250603-foo-pin-v1-1-0badc0de@example.org", "v2 is v1's next version");
    const store = new SqliteStore(lab.config.poller.database);
    try {
      const findings = await store.findings({});
      assert.deepEqual([...new Set(findings.map((f) => f.author))], ["ada@example.org"]);
      assert.equal(summariseSeries({ store, maintainers: undefined } as unknown as Parameters<typeof summariseSeries>[0], findings).length, 1, "one series, not two");
    } finally {
      await store.close();
    }
    const replies = lab.query<{ in_reply_to: string; raw: string; recipients: string }>("SELECT in_reply_to, raw, recipients FROM outbox ORDER BY outbox_id");
    const v2Reply = replies.find((r) => r.in_reply_to === "20250610-foo-pin-v2-1-0badc0de@example.org")!;
    assert.match(v2Reply.raw, /^To: Ada Example <ada@example\.org>\r$/m);
    assert.match(v2Reply.raw, /^Hi Ada,\r$/m);
    assert.doesNotMatch(v2Reply.recipients, /devnull/);
  } finally {
    lab.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
