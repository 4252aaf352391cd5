// A patch across versions: v1 gets the full comment; v2 with the same
// problem gets one "still present since v1" line instead of the comment
// again; a RESEND of v2 gets nothing; v3 that fixes it gets nothing, and the
// finding is recorded as addressed in v3.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readFixture } from "../helpers/fixtures.js";
import { pollerLab } from "../helpers/poller-setup.js";

const FIXTURE = readFixture("mail", "patch-pin-put-page.eml").toString("utf8");

function version(subjectTag: string, id: string, change: (text: string) => string = (t) => t): string {
  const text = FIXTURE.replace(/^Subject: .*$/m, `Subject: [${subjectTag}] RDMA/foo: register user memory regions`)
    .replace(/^Message-Id: .*$/m, `Message-Id: <${id}@example.net>`)
    .replace(/^In-Reply-To: .*\n/m, "")
    .replace(/^References: .*\n/m, "");
  return `From pinwatch-test Thu Jan  1 00:00:00 1970\n${change(text)}\n`;
}

test("v1 full comment, v2 'still present since v1', RESEND nothing, v3 fixed: addressed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-versions-"));
  const mailbox = join(dir, "list.mbox");
  const lab = pollerLab([{ name: "rdma", source: { type: "mailbox", path: mailbox } }]);
  try {
    writeFileSync(mailbox, version("PATCH", "v1"));
    await lab.poll("rdma");
    const v2 = (t: string) => t.replace("-EFAULT", "-EIO").replace("Pin the pages", "v2: return -EIO. Pin the pages");
    writeFileSync(mailbox, version("PATCH", "v1") + version("PATCH v2", "v2", v2));
    await lab.poll("rdma");
    writeFileSync(mailbox, version("PATCH", "v1") + version("PATCH v2", "v2", v2) + version("PATCH RESEND v2", "v2-resend", v2));
    await lab.poll("rdma");
    const fixed = (t: string) => v2(t).replace("put_page(mr->pages[i]);", "unpin_user_page(mr->pages[i]);");
    writeFileSync(mailbox, version("PATCH", "v1") + version("PATCH v2", "v2", v2) + version("PATCH RESEND v2", "v2-resend", v2) + version("PATCH v3", "v3", fixed));
    await lab.poll("rdma");

    const replies = lab.query<{ in_reply_to: string; raw: string }>("SELECT in_reply_to, raw FROM outbox ORDER BY outbox_id");
    assert.deepEqual(replies.map((r) => r.in_reply_to), ["v1@example.net", "v2@example.net"], "one reply each for v1 and v2; none for the RESEND or v3");
    assert.match(replies[0]!.raw, /put_page\(\) is not the release for pinned pages|pin_user_pages/);
    const v2Reply = replies[1]!.raw.replace(/\r\n/g, "\n");
    assert.match(v2Reply, /Still present since v1/);
    assert.match(v2Reply, /nothing new on\s+this version/);
    assert.doesNotMatch(v2Reply, /^See /m, "the full comment is not repeated");
    assert.doesNotMatch(v2Reply, /leaves the pin bias behind/, "nor its explanation");
    assert.match(v2Reply, /^https:\/\/docs\.kernel\.org\/core-api\/pin_user_pages\.html#\S+$/m, "the case it rests on is still cited");
    assert.match(v2Reply, /^> \+\t\tput_page\(mr->pages\[i\]\);$/m, "the line is still quoted, so the author sees where");

    const findings = lab.query<{ message_id: string; status: string; first_version: number; addressed_in: string | null }>(
      "SELECT message_id, status, first_version, addressed_in FROM findings ORDER BY finding_id",
    );
    assert.deepEqual(findings, [
      { message_id: "v1@example.net", status: "addressed", first_version: 1, addressed_in: "v3@example.net" },
      { message_id: "v2@example.net", status: "addressed", first_version: 1, addressed_in: "v3@example.net" },
      { message_id: "v2-resend@example.net", status: "addressed", first_version: 1, addressed_in: "v3@example.net" },
    ]);
    const reviews = lab.query<{ message_id: string; predecessor: string | null; no_reply_reason: string | null }>(
      "SELECT message_id, predecessor, no_reply_reason FROM reviews ORDER BY review_id",
    );
    assert.deepEqual(reviews.map((r) => [r.message_id, r.predecessor]), [
      ["v1@example.net", null],
      ["v2@example.net", "v1@example.net"],
      ["v2-resend@example.net", "v2@example.net"],
      ["v3@example.net", "v2-resend@example.net"],
    ]);
    assert.match(reviews[2]!.no_reply_reason ?? "", /nothing new/);
  } finally {
    lab.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
