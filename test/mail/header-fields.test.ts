// Header lines pinwatch writes stay under 78 characters wherever the value
// can be folded and never pass 998, however long the subject, the names or
// the References of the patch it answers; and they read back unchanged.
import assert from "node:assert/strict";
import { test } from "node:test";
import { simpleParser } from "mailparser";
import { initCParser } from "../../src/analysis/c-parser.js";
import { configSchema } from "../../src/config/schema.js";
import { encodeUnstructured, foldHeader, foldMessageIds, HARD_LINE, SOFT_LINE } from "../../src/mail/header-fields.js";
import { parseMail } from "../../src/mail/parse-mail.js";
import { composeReply } from "../../src/reply/compose-reply.js";
import { replyPolicyFor } from "../../src/reply/reply-policy.js";
import { renderRfc5322 } from "../../src/reply/render-rfc5322.js";
import { ALL_RULES } from "../../src/rules/index.js";
import { reviewMail } from "../../src/review/review-mail.js";
import { readFixture } from "../helpers/fixtures.js";

/** Header lines longer than SOFT_LINE must be a single word that cannot be broken (a Message-ID, an address). */
function assertFolded(raw: string): void {
  const head = raw.slice(0, raw.indexOf("\r\n\r\n"));
  for (const line of head.split("\r\n")) {
    assert.ok(line.length <= HARD_LINE, `a line of ${line.length} characters`);
    if (line.length <= SOFT_LINE) continue;
    const words = line.replace(/^[\w-]+:/, "").trim().split(" ");
    assert.equal(words.length, 1, `a long line that could have been folded: ${line.slice(0, 120)}...`);
  }
}

test("foldHeader: breaks at spaces, starts the value on the next line when the first word cannot sit beside the name", () => {
  const folded = foldHeader("References", Array.from({ length: 12 }, (_, i) => `<id-${i}-${"x".repeat(20)}@example.org>`).join(" "));
  assert.ok(folded.split("\r\n").length > 3);
  assert.ok(folded.split("\r\n").every((l) => l.length <= SOFT_LINE));
  assert.equal(foldHeader("X-Long", "y".repeat(70)), `X-Long:\r\n ${"y".repeat(70)}`);
  assert.equal(foldHeader("Subject", "short"), "Subject: short");
  const huge = foldHeader("X-Huge", "z".repeat(3000));
  assert.ok(huge.split("\r\n").every((l) => l.length <= HARD_LINE), "never past 998, even for one enormous word");
  assert.doesNotMatch(foldHeader("Subject", "a\r\nBcc: victim@example.org"), /\r\nBcc:/, "a line break in a value never starts a header");
});

test("encodeUnstructured: plain ASCII stays readable; non-ASCII and unbreakable words become foldable encoded words", async () => {
  assert.equal(encodeUnstructured("Re: [PATCH] mm: fix"), "Re: [PATCH] mm: fix");
  for (const text of ["Grüße aus Köln ".repeat(20).trim(), `Re: [PATCH] ${"a".repeat(300)} and more`, "x ".repeat(5) + "日本語".repeat(50)]) {
    const header = foldHeader("Subject", encodeUnstructured(text));
    assert.ok(header.split("\r\n").every((l) => l.length <= SOFT_LINE), header.split("\r\n")[0]);
    const parsed = await simpleParser(`${header}\r\n\r\nbody\r\n`);
    assert.equal(parsed.subject, text);
  }
});

test("foldMessageIds: an id too long for any line is left out rather than broken", () => {
  assert.equal(foldMessageIds("In-Reply-To", ["q".repeat(1200)]), "");
  assert.equal(foldMessageIds("References", ["a@b", "q".repeat(1200), "c@d"]), "References: <a@b> <c@d>");
});

test("a reply to a patch with a 600-character subject, long names and 60 References: folded, and read back unchanged", async () => {
  await initCParser();
  const config = configSchema.parse({ bot: { address: "bot@pinwatch.test", contact: "humans@pinwatch.test" } });
  const options = { bot: config.bot, reply: config.reply, rulesetVersion: "test-1", version: "0.0.0-test", now: new Date("2025-05-13T00:00:00Z"), policy: replyPolicyFor(config) };
  const subject = `[PATCH v2 3/5] ubuf: ${"write completion records into the user buffer, ".repeat(11)}Ünïcödé ${"w".repeat(120)}`;
  const references = Array.from({ length: 60 }, (_, i) => `<20250512080000.${i}-${"r".repeat(i % 3 === 0 ? 90 : 30)}@example.org>`);
  const cc = Array.from({ length: 30 }, (_, i) => (i % 2 ? `"Reviewer ${i} ${"Long Name ".repeat(8).trim()}" <r${i}@example.com>` : `=?UTF-8?Q?J=C3=B6rg_${i}_M=C3=BCller-L=C3=BCdenscheidt_von_und_zu_Gro=C3=9F?= <j${i}@example.com>`));
  const fixture = readFixture("mail", "patch-case5-write.eml")
    .toString("utf8")
    .replace(/^Subject: .*$/m, `Subject: ${subject}`)
    .replace(/^References: .*$/m, `References: ${references.join("\n ")}`)
    .replace(/^Cc: .*$/m, `Cc: ${cc.join(",\n ")}`);
  const mail = await parseMail({ source: "long.eml", bytes: Buffer.from(fixture) });
  const review = reviewMail(mail, { rules: ALL_RULES, config });
  const reply = composeReply(mail, review.findings, options)!;
  assert.ok(reply, "a reply is owed");
  const raw = renderRfc5322(reply);
  assertFolded(raw);

  const back = await simpleParser(raw);
  assert.equal(back.subject, `Re: ${subject}`);
  const again = await parseMail({ source: "reply.eml", bytes: Buffer.from(raw) });
  assert.deepEqual(again.references, reply.references);
  assert.equal(again.inReplyTo, mail.messageId);
  assert.deepEqual(again.cc.map((a) => [a.name, a.address]), reply.cc.map((a) => [a.name, a.address]));
  assert.equal(again.messageId, reply.messageId);
});
