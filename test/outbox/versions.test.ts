// A patch across versions. A comment goes out in full until a reply
// carrying it has actually reached the author (sent by SMTP, or seen on a
// list); after that a later version gets one "still present" line with the
// link to that reply. A RESEND gets nothing; a version whose GUP/pin hunks
// only changed whitespace or wrapping gets nothing; a version that changed
// the line a finding is about gets the comment again; a fixed version gets
// nothing and the finding is recorded as addressed.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { readFixture } from "../helpers/fixtures.js";
import { pollerLab } from "../helpers/poller-setup.js";
import { SmtpLab } from "../helpers/smtp-lab.js";

const FIXTURE = readFixture("mail", "patch-pin-put-page.eml").toString("utf8");

function version(subjectTag: string, id: string, change: (text: string) => string = (t) => t): string {
  const text = FIXTURE.replace(/^Subject: .*$/m, `Subject: [${subjectTag}] RDMA/foo: register user memory regions`)
    .replace(/^Message-Id: .*$/m, `Message-Id: <${id}@example.net>`)
    .replace(/^To: .*$/m, "To: linux-rdma@example.org")
    .replace(/^In-Reply-To: .*\n/m, "")
    .replace(/^References: .*\n/m, "");
  return `From pinwatch-test Thu Jan  1 00:00:00 1970\n${change(text)}\n`;
}

/** v2 changes the GUP hunk (another error code), the flagged line stays. */
const v2 = (t: string) => t.replace("-EFAULT", "-EIO").replace("Pin the pages", "v2: return -EIO. Pin the pages");
/** Only whitespace and wrapping: the pin call split over two lines, a line re-indented with spaces. */
const rewrapped = (t: string) =>
  t.replace("@@ -120,6 +120,39 @@", "@@ -120,6 +120,40 @@")
    .replace("+\tpinned = pin_user_pages_fast(start, npages, gup_flags, mr->pages);", "+\tpinned = pin_user_pages_fast(start, npages,\n+\t\t\t\t     gup_flags, mr->pages);")
    .replace("+\t\tkvfree(mr->pages);", "+        kvfree( mr->pages );")
    .replace("Pin the pages", "Rewrapped. Pin the pages");
/** The flagged line itself changed. */
const changedLine = (t: string) => v2(t).replace("put_page(mr->pages[i]);", "put_page(mr->pages[mr->npages - 1 - i]);");

function mailbox(): { path: string; write: (...versions: string[]) => void; close: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-versions-"));
  const path = join(dir, "list.mbox");
  return { path, write: (...v) => writeFileSync(path, v.join("")), close: () => rmSync(dir, { recursive: true, force: true }) };
}

let smtp: SmtpLab;
before(async () => {
  smtp = await SmtpLab.start();
});
after(async () => {
  await smtp?.close();
});

function lab(path: string, replyMode: "dry-run" | "moderated" | "live") {
  return pollerLab(
    [{ name: "rdma", address: "linux-rdma@example.org", replyMode, source: { type: "mailbox", path } }],
    {},
    { outbox: { smtp: { host: "127.0.0.1", port: smtp.port, security: "none", timeoutSeconds: 10 } } },
  );
}

type Reply = { in_reply_to: string; state: string; raw: string };
const replies = (l: ReturnType<typeof lab>) =>
  l.query<Reply>("SELECT in_reply_to, state, raw FROM outbox ORDER BY outbox_id").map((r) => ({ ...r, raw: r.raw.replace(/\r\n/g, "\n") }));
const FULL_COMMENT = /^See pin_user_pages\.rst/m;

test("mailed v1: v2 gets one 'still present' line linking v1's reply; v3 still points at v1; RESEND nothing; fixed: addressed", async () => {
  const box = mailbox();
  const l = lab(box.path, "live");
  const sentBefore = smtp.received.length;
  try {
    box.write(version("PATCH", "v1"));
    await l.poll("rdma");
    box.write(version("PATCH", "v1"), version("PATCH v2", "v2", v2));
    await l.poll("rdma");
    const v3 = (t: string) => v2(t).replace("kvfree(mr->pages);\n+\t\treturn", "kvfree(mr->pages);\n+\t\tmr->pages = NULL;\n+\t\treturn").replace("@@ -120,6 +120,39 @@", "@@ -120,6 +120,40 @@");
    box.write(version("PATCH", "v1"), version("PATCH v2", "v2", v2), version("PATCH RESEND v2", "v2-resend", v2), version("PATCH v3", "v3", v3));
    await l.poll("rdma");
    const fixed = (t: string) => v3(t).replace("put_page(mr->pages[i]);", "unpin_user_page(mr->pages[i]);");
    box.write(version("PATCH", "v1"), version("PATCH v2", "v2", v2), version("PATCH RESEND v2", "v2-resend", v2), version("PATCH v3", "v3", v3), version("PATCH v4", "v4", fixed));
    await l.poll("rdma");

    const sent = replies(l);
    assert.deepEqual(sent.map((r) => [r.in_reply_to, r.state]), [["v1@example.net", "sent"], ["v2@example.net", "sent"], ["v3@example.net", "sent"]], "none for the RESEND or the fixed v4");
    assert.match(sent[0]!.raw, FULL_COMMENT);
    const v1Reply = /^Message-ID: <([^>]+)>/m.exec(sent[0]!.raw)![1]!;
    for (const later of [sent[1]!.raw, sent[2]!.raw]) {
      assert.match(later, /Still present since v1, where this was said in full:/);
      assert.ok(later.includes(`\nhttps://lore.kernel.org/r/${v1Reply}/\n`), "the link to the reply that carried the comment");
      assert.match(later, /nothing new on this version/);
      assert.doesNotMatch(later, FULL_COMMENT, "the full comment is not repeated");
      assert.doesNotMatch(later, /^\| Reported-by:/m, "no tag block for a comment already made");
      assert.match(later, /^https:\/\/docs\.kernel\.org\/core-api\/pin_user_pages\.html#\S+$/m, "the case it rests on is still cited");
      assert.match(later, /^> \+\t\tput_page\(mr->pages\[i\]\);$/m, "the line is still quoted, so the author sees where");
      assert.doesNotMatch(later, /release-mismatch/, "no rule id in the prose");
    }
    assert.equal(smtp.received.length - sentBefore, 3);

    const findings = l.query<{ message_id: string; status: string; first_version: number; addressed_in: string | null }>(
      "SELECT message_id, status, first_version, addressed_in FROM findings ORDER BY finding_id",
    );
    assert.deepEqual(findings, ["v1", "v2", "v2-resend", "v3"].map((v) => ({ message_id: `${v}@example.net`, status: "addressed", first_version: 1, addressed_in: "v4@example.net" })));
    const reviews = l.query<{ message_id: string; predecessor: string | null; no_reply_reason: string | null }>("SELECT message_id, predecessor, no_reply_reason FROM reviews ORDER BY review_id");
    assert.deepEqual(reviews.map((r) => [r.message_id, r.predecessor]), [
      ["v1@example.net", null], ["v2@example.net", "v1@example.net"], ["v2-resend@example.net", "v2@example.net"], ["v3@example.net", "v2-resend@example.net"], ["v4@example.net", "v3@example.net"],
    ]);
    assert.match(reviews[2]!.no_reply_reason ?? "", /nothing new/);
  } finally {
    l.close();
    box.close();
  }
});

test("dry-run v1 reached nobody: v2 gets the full comment again, not a pointer to a reply that was never sent", async () => {
  const box = mailbox();
  const l = lab(box.path, "dry-run");
  try {
    box.write(version("PATCH", "v1"));
    await l.poll("rdma");
    box.write(version("PATCH", "v1"), version("PATCH v2", "v2", v2));
    await l.poll("rdma");
    const [first, second] = replies(l);
    assert.match(first!.raw, FULL_COMMENT);
    assert.match(second!.raw, FULL_COMMENT);
    assert.doesNotMatch(second!.raw, /Still present/);
    assert.match(second!.raw, /^\| Reported-by: /m);
  } finally {
    l.close();
    box.close();
  }
});

test("a moderated v1 still held, and a v2: v2's reply carries the full comment; approved later, the link is to the one that was sent", async () => {
  const box = mailbox();
  const l = lab(box.path, "moderated");
  const sentBefore = smtp.received.length;
  try {
    box.write(version("PATCH", "v1"));
    await l.poll("rdma");
    assert.deepEqual(replies(l).map((r) => r.state), ["held"]);
    box.write(version("PATCH", "v1"), version("PATCH v2", "v2", v2));
    await l.poll("rdma");
    const [, v2Reply] = replies(l);
    assert.equal(v2Reply!.state, "held");
    assert.match(v2Reply!.raw, FULL_COMMENT, "v1's comment never reached the author");
    assert.doesNotMatch(v2Reply!.raw, /Still present|nothing new/);
    assert.equal(smtp.received.length, sentBefore, "nothing sent while held");

    // A moderator approves v2's reply only; v3 then points at it, as v2's.
    await l.withStore(async (store) => {
      const held = await store.outboxEntries({ state: "held" });
      await store.decideOutbox(held.find((e) => e.inReplyTo === "v2@example.net")!.id, "approve", "test", new Date());
    });
    await l.deliver();
    const v3 = (t: string) => v2(t).replace(": -EIO;", ": -ENOMEM;");
    box.write(version("PATCH", "v1"), version("PATCH v2", "v2", v2), version("PATCH v3", "v3", v3));
    await l.poll("rdma");
    const v3Reply = replies(l)[2]!;
    const v2Id = /^Message-ID: <([^>]+)>/m.exec(v2Reply!.raw)![1]!;
    assert.match(v3Reply.raw, /Still present since v2, where this was said in full:/);
    assert.ok(v3Reply.raw.includes(`https://lore.kernel.org/r/${v2Id}/`));
  } finally {
    l.close();
    box.close();
  }
});

test("a whitespace-only v2 (re-indented, re-wrapped GUP code) gets no new mail, whether v1's reply went out or is still held", async () => {
  for (const mode of ["live", "moderated"] as const) {
    const box = mailbox();
    const l = lab(box.path, mode);
    try {
      box.write(version("PATCH", "v1"));
      await l.poll("rdma");
      box.write(version("PATCH", "v1"), version("PATCH v2", "v2", rewrapped));
      await l.poll("rdma");
      assert.deepEqual(replies(l).map((r) => r.in_reply_to), ["v1@example.net"], mode);
      const [, review] = l.query<{ no_reply_reason: string | null; predecessor: string }>("SELECT no_reply_reason, predecessor FROM reviews ORDER BY review_id");
      assert.equal(review!.predecessor, "v1@example.net");
      assert.match(review!.no_reply_reason ?? "", /GUP\/pin hunks are those of v1 \(whitespace and wrapping aside\)/, mode);
      assert.deepEqual(l.query("SELECT status FROM findings WHERE message_id = 'v2@example.net'"), [{ status: "still-present" }], "the finding is still tracked");
    } finally {
      l.close();
      box.close();
    }
  }
});

test("a finding is mailed once per series unless the code it is about changed: then the comment goes out in full again", async () => {
  const box = mailbox();
  const l = lab(box.path, "live");
  try {
    box.write(version("PATCH", "v1"));
    await l.poll("rdma");
    box.write(version("PATCH", "v1"), version("PATCH v2", "v2", changedLine));
    await l.poll("rdma");
    const [, second] = replies(l);
    assert.match(second!.raw, FULL_COMMENT);
    assert.match(second!.raw, /^> \+\t\tput_page\(mr->pages\[mr->npages - 1 - i\]\);$/m);
    assert.doesNotMatch(second!.raw, /Still present/);
  } finally {
    l.close();
    box.close();
  }
});
