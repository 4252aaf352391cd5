import assert from "node:assert/strict";
import { test } from "node:test";
import { parseMail } from "../../src/mail/parse-mail.js";
import { PinwatchError } from "../../src/errors.js";
import { readFixture } from "../helpers/fixtures.js";

const plain = readFixture("mail", "patch-case5-write.eml").toString("utf8");
const [headers, body] = [plain.slice(0, plain.indexOf("\n\n")), plain.slice(plain.indexOf("\n\n") + 2)];
const baseHeaders = headers.replace(/^(MIME-Version|Content-Type|Content-Transfer-Encoding):.*\n?/gim, "").trimEnd();

test("a git-send-email patch: ids, threading, recipients, kind and diff", async () => {
  const mail = await parseMail({ source: "t.eml", bytes: Buffer.from(plain) });
  assert.equal(mail.messageId, "20250512080000.1000-4-ada@example.org");
  assert.equal(mail.inReplyTo, "20250512080000.1000-1-ada@example.org");
  assert.deepEqual(mail.references, ["20250512080000.1000-1-ada@example.org"]);
  assert.equal(mail.kind, "patch");
  assert.equal(mail.tags.version, 2);
  assert.equal(mail.from?.address, "ada@example.org");
  assert.deepEqual(mail.cc.map((a) => a.address), ["john@example.com", "linux-kernel@vger.kernel.org"]);
  assert.match(mail.patchText, /^diff --git a\/drivers\/misc\/ubuf\.c/m);
});

for (const [name, encode] of [
  ["base64", (b: string) => Buffer.from(b).toString("base64").replace(/.{76}/g, "$&\n")],
  ["quoted-printable", (b: string) => b.replace(/=/g, "=3D").replace(/\t/g, "=09")],
] as const) {
  test(`a ${name} body decodes to the same diff`, async () => {
    const raw = `${baseHeaders}\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: ${name}\n\n${encode(body)}`;
    const mail = await parseMail({ source: name, bytes: Buffer.from(raw) });
    assert.equal(mail.kind, "patch");
    assert.match(mail.patchText, /\+\tret = get_user_pages_fast\(uaddr, 1, FOLL_WRITE, &page\);/);
  });
}

test("a patch attached as text/x-patch in a multipart mail is found", async () => {
  const diff = body.slice(body.indexOf("diff --git"));
  const raw = [
    baseHeaders,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="XYZ"',
    "",
    "--XYZ",
    "Content-Type: text/plain; charset=iso-8859-1",
    "Content-Transfer-Encoding: 8bit",
    "",
    "Patch attached. Gr\xfc\xdfe",
    "--XYZ",
    'Content-Type: text/x-patch; name="0001-ubuf.patch"',
    'Content-Disposition: attachment; filename="0001-ubuf.patch"',
    "",
    diff,
    "--XYZ--",
    "",
  ].join("\n");
  const mail = await parseMail({ source: "multipart", bytes: Buffer.from(raw, "latin1") });
  assert.match(mail.body, /Grüße/);
  assert.match(mail.patchText, /get_user_pages_fast/);
});

test("replies are never patches, even when they quote or carry a diff", async () => {
  const mail = await parseMail({ source: "reply", bytes: readFixture("mail", "reply-quoting-diff.eml") });
  assert.equal(mail.kind, "reply");
});

test("a 0/N mail is a cover letter with its change-id and base-commit", async () => {
  const mail = await parseMail({ source: "cover", bytes: readFixture("mail", "cover-letter.eml") });
  assert.equal(mail.kind, "cover");
  assert.equal(mail.changeId, "20250501-ubuf-ring-0a1b2c");
  assert.equal(mail.baseCommit, "0123456789abcdef0123456789abcdef01234567");
});

test("bytes with no mail headers give a coded error naming the source", async () => {
  await assert.rejects(parseMail({ source: "junk.bin", bytes: Buffer.from("\u0000\u0001 just noise\n") }), (err: unknown) => {
    assert.ok(err instanceof PinwatchError);
    assert.equal(err.code, "PW_E_MAIL_PARSE");
    assert.match(err.message, /^junk\.bin: /);
    return true;
  });
});

test("a mail without Message-ID gets a stable synthetic id", async () => {
  const raw = Buffer.from(plain.replace(/^Message-Id:.*\n/m, ""));
  const a = await parseMail({ source: "a", bytes: raw });
  const b = await parseMail({ source: "b", bytes: raw });
  assert.equal(a.messageId, b.messageId);
  assert.match(a.messageId, /^missing-id-[0-9a-f]{16}@pinwatch\.invalid$/);
});
