// Picking the series out of a fetched thread as b4 does, and reading the
// Message-ID out of what a user pastes (a lore URL, <id>, a bare id).
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseMail } from "../../src/mail/parse-mail.js";
import type { Mail } from "../../src/mail/types.js";
import { selectSeries } from "../../src/review/thread-series.js";
import { parseThreadRef } from "../../src/sources/fetch-thread.js";

let minute = 0;
async function mail(subject: string, id: string, inReplyTo?: string): Promise<Mail> {
  const head = ["From: Bo <bo@example.net>", `Subject: ${subject}`, `Message-ID: <${id}>`, `Date: Mon, 02 Jun 2025 10:${String(minute++).padStart(2, "0")}:00 +0000`];
  if (inReplyTo) head.push(`In-Reply-To: <${inReplyTo}>`, `References: <${inReplyTo}>`);
  return parseMail({ source: id, bytes: Buffer.from([...head, "", "body", ""].join("\n")) });
}

test("the newest revision, each N/M once in order; a partial reroll takes the patches it did not resend from the revision before", async () => {
  const thread = [
    await mail("[PATCH 0/3] x", "v1-0"), await mail("[PATCH 1/3] a", "v1-1", "v1-0"), await mail("[PATCH 2/3] b", "v1-2", "v1-0"), await mail("[PATCH 3/3] c", "v1-3", "v1-0"),
    await mail("Re: [PATCH 2/3] b", "r1", "v1-2"),
    // v2 resends only 2/3, in reply to v1's 2/3.
    await mail("[PATCH v2 2/3] b", "v2-2", "v1-2"),
    await mail("[PATCH v2 2/3] b", "v2-2-again", "v1-2"),
  ];
  const s = selectSeries(thread)!;
  assert.equal(s.version, 2);
  assert.deepEqual(s.versions, [1, 2]);
  assert.deepEqual(s.patches.map((m) => m.messageId), ["v1-1", "v2-2", "v1-3"]);
  assert.deepEqual(s.carriedFrom, [{ index: 1, version: 1 }, { index: 3, version: 1 }]);
  assert.deepEqual(s.missing, []);
  assert.deepEqual(s.skipped.map((m) => m.messageId).sort(), ["r1", "v1-0", "v1-2", "v2-2-again"].sort());
  const v1 = selectSeries(thread, 1)!;
  assert.deepEqual(v1.patches.map((m) => m.messageId), ["v1-1", "v1-2", "v1-3"]);
  assert.equal(v1.cover?.messageId, "v1-0");
  assert.equal(selectSeries(thread, 3), undefined);
  assert.equal(selectSeries([thread[4]!]), undefined, "a thread of replies holds no series");
});

test("a lone patch, and a series with a patch missing", async () => {
  const lone = selectSeries([await mail("[PATCH] mm: x", "lone")])!;
  assert.deepEqual(lone.patches.map((m) => m.messageId), ["lone"]);
  const gap = selectSeries([await mail("[PATCH 1/3] a", "g1"), await mail("[PATCH 3/3] c", "g3")])!;
  assert.deepEqual(gap.missing, [2]);
});

test("what a user pastes: lore URLs, /r/, patch.msgid.link, <id> and a bare id; anything else is not a thread", () => {
  assert.deepEqual(parseThreadRef("https://lore.kernel.org/linux-mm/20250512.1-4-ada@example.org/"), { messageId: "20250512.1-4-ada@example.org", inboxUrl: "https://lore.kernel.org/linux-mm" });
  assert.deepEqual(parseThreadRef("https://lore.kernel.org/all/X%2FWCTx@mwanda/T/#u"), { messageId: "X/WCTx@mwanda", inboxUrl: "https://lore.kernel.org/all" });
  assert.deepEqual(parseThreadRef("https://lore.kernel.org/r/abc@def"), { messageId: "abc@def", inboxUrl: "https://lore.kernel.org/all" });
  assert.deepEqual(parseThreadRef("https://patch.msgid.link/abc@def"), { messageId: "abc@def" });
  assert.deepEqual(parseThreadRef("<abc@def>"), { messageId: "abc@def" });
  assert.deepEqual(parseThreadRef("abc@def"), { messageId: "abc@def" });
  assert.equal(parseThreadRef("patches/0001-x.patch"), undefined);
  assert.equal(parseThreadRef("https://example.org/no/id/here"), undefined);
});
