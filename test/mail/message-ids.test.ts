// Message-ID lists read as RFC 5322 says, by both readers of headers (the
// header scan of every message and mailparser's full parse of a patch):
// folding inside an id is not part of it, encoded words and comments never
// become ids.
import assert from "node:assert/strict";
import { test } from "node:test";
import { scanHeaders } from "../../src/ingest/scan-headers.js";
import { firstId, idList, messageIdOf } from "../../src/mail/message-ids.js";
import { parseMail } from "../../src/mail/parse-mail.js";

const cases: [string, string, string[]][] = [
  ["plain list", "<a@b> <c@d>", ["a@b", "c@d"]],
  ["folded inside an id", "<20240101.abc\r\n def@example.com>", ["20240101.abcdef@example.com"]],
  ["folded between ids", "<a@b>\r\n\t<c@d>", ["a@b", "c@d"]],
  ["an encoded word is a phrase, not an id", "<a@b> =?UTF-8?Q?=3CBcc=3A=3E?= <c@d>", ["a@b", "c@d"]],
  ["comments are skipped, even with <...> inside", "(see <x@y>) <a@b> (nested (<z@w>))", ["a@b"]],
  ["quoted phrases are skipped", '"Your message of <x@y>" <a@b>', ["a@b"]],
  ["bare ids when nothing is bracketed", "a@b c@d", ["a@b", "c@d"]],
  ["an encoded word alone gives nothing", "=?UTF-8?B?PEJjYzo+?=", []],
  ["duplicates dropped, order kept", "<a@b> <c@d> <a@b>", ["a@b", "c@d"]],
  ["an unclosed < is no id", "<a@b> <c@d", ["a@b"]],
  ["a quoted local part keeps its space", '<"a b"@c>', ['"a b"@c']],
];

for (const [name, value, expected] of cases) {
  test(`idList: ${name}`, () => assert.deepEqual(idList(value), expected));
  // The header scan reads only the first id of References and In-Reply-To.
  test(`firstId: ${name}`, () => assert.equal(firstId(value), expected[0]));
}

test("firstId: a bracketed id wins over a bare one written before it, as in idList", () => {
  assert.equal(firstId("a@b <c@d>"), "c@d");
  assert.equal(firstId("x@y\u00a0<c@d>"), "c@d");
  assert.equal(firstId(undefined), undefined);
  assert.equal(firstId(["(c) d@e", "<f@g>"]), "f@g");
});

test("messageIdOf: the first id, or the whole value without brackets (as public-inbox takes it)", () => {
  assert.equal(messageIdOf("<x@y> <z@w>"), "x@y");
  assert.equal(messageIdOf(" <abc\r\n def@example.com>"), "abcdef@example.com");
  assert.equal(messageIdOf("no-at-sign"), "no-at-sign");
  assert.equal(messageIdOf("   "), undefined);
});

const hostile = [
  "From: Ada <ada@example.org>",
  "Subject: [PATCH] mm: something",
  "Date: Mon, 12 May 2025 08:00:00 +0000",
  "Message-ID: <20250512080000.1000-1-\r\n ada@example.org>",
  "In-Reply-To: =?UTF-8?Q?=3CBcc=3A=3E?= <cover@example.org>",
  "References: <cover@example.org> =?UTF-8?Q?=3CBcc=3A=3E?=\r\n (a comment <x@y>) <prev@example.org>",
  "",
  "body",
  "",
].join("\r\n");

test("the header scan and the full parse read folded ids and encoded words alike", async () => {
  const mail = await parseMail({ source: "hostile.eml", bytes: Buffer.from(hostile) });
  const scan = scanHeaders(Buffer.from(hostile))!;
  assert.equal(mail.messageId, "20250512080000.1000-1-ada@example.org");
  assert.equal(scan.meta.messageId, mail.messageId);
  assert.equal(mail.inReplyTo, "cover@example.org");
  assert.equal(scan.meta.inReplyTo, mail.inReplyTo);
  assert.deepEqual(mail.references, ["cover@example.org", "prev@example.org"]);
  assert.equal(scan.meta.threadRoot, "cover@example.org");
});
