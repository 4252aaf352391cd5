// The cheap path every message takes: the header scan (what the store keeps
// of each message) and the raw-byte prefilter (which patches get reviewed).
import assert from "node:assert/strict";
import { test } from "node:test";
import { SELECTED_NAME_ANCHORS, selectedNames } from "../../src/api/catalog.js";
import { needsReview } from "../../src/ingest/prefilter.js";
import { scanHeaders } from "../../src/ingest/scan-headers.js";
import { parseMail } from "../../src/mail/parse-mail.js";
import { seriesKey } from "../../src/review/series.js";
import { readFixture } from "../helpers/fixtures.js";
import { gupPatch, plainMail, seriesPatch } from "../helpers/mail-factory.js";

test("the header scan agrees with the full parse on every fixture", async () => {
  for (const name of ["cover-letter.eml", "patch-case5-write.eml", "patch-fix-unpin.eml", "patch-pin-put-page.eml", "reply-quoting-diff.eml"]) {
    const bytes = readFixture("mail", name);
    const scan = scanHeaders(bytes)!;
    const mail = await parseMail({ source: name, bytes });
    assert.equal(scan.meta.messageId, mail.messageId, name);
    assert.equal(scan.meta.subject, mail.subject, name);
    assert.equal(scan.meta.kind, mail.kind, name);
    assert.equal(scan.meta.fromAddress, mail.from?.address, name);
    assert.equal(scan.meta.seriesKey, seriesKey(mail), name);
    assert.equal(scan.meta.date, mail.date?.toISOString(), name);
  }
});

test("encoded words, folded headers, an mbox From line, CRLF", () => {
  const raw = Buffer.from(
    "From someone Thu Jan  1 00:00:00 1970\r\nSubject: =?UTF-8?q?=5BPATCH_v3_2/7=5D_mm=3A_caf=C3=A9?=\r\n  continued\r\nFrom: =?UTF-8?q?Jos=C3=A9?= <jose@example.org>\r\nMessage-ID:\r\n <folded@example.org>\r\nIn-Reply-To: <cover@example.org>\r\n\r\nbody\r\n",
  );
  const scan = scanHeaders(raw)!;
  assert.equal(scan.meta.messageId, "folded@example.org");
  assert.equal(scan.meta.subject, "[PATCH v3 2/7] mm: café continued");
  assert.equal(scan.meta.fromAddress, "jose@example.org");
  assert.equal(scan.meta.version, 3);
  assert.equal(scan.meta.index, 2);
  assert.equal(scan.meta.total, 7);
  assert.equal(scan.meta.seriesKey, "cover@example.org|v3|jose@example.org");
});

test("header names in any case or with space before the colon; only the first blank line ends the block", () => {
  const raw = Buffer.from(
    "Received: from x\nSUBJECT : [PATCH 1/2] mm: one\nfrom:\tA <a@example.org>\nMessage-Id: <upper@example.org>\nX-Subject: not this one\n\tSubject: nor this\n\nSubject: body line\n",
  );
  const scan = scanHeaders(raw)!;
  assert.equal(scan.meta.subject, "[PATCH 1/2] mm: one");
  assert.equal(scan.meta.fromAddress, "a@example.org");
  assert.equal(scan.meta.messageId, "upper@example.org");
  assert.equal(raw.subarray(scan.bodyOffset).toString(), "Subject: body line\n");
  const crlf = Buffer.from("Subject: x\r\nFrom: a@example.org\r\n\r\nbody\n\nmore\n");
  assert.equal(crlf.subarray(scanHeaders(crlf)!.bodyOffset).toString(), "body\n\nmore\n");
});

test("no headers at all is reported, a missing Message-ID is made up stably", () => {
  assert.equal(scanHeaders(Buffer.from("just some text\nwithout headers\n")), undefined);
  const noId = Buffer.from("Subject: hello\nFrom: a@example.org\n\nbody\n");
  assert.equal(scanHeaders(noId)!.syntheticId, true);
  assert.equal(scanHeaders(noId)!.meta.messageId, scanHeaders(Buffer.from(noId))!.meta.messageId);
});

test("every name the effects table selects hunks by contains one of the prefilter's anchors", () => {
  assert.ok(selectedNames().length > 20);
  for (const name of selectedNames()) assert.ok(SELECTED_NAME_ANCHORS.some((a) => name.includes(a)), name);
});

test("the prefilter passes patches whose diff lines name a GUP symbol, and nothing else", () => {
  const review = (b: Buffer) => needsReview(b, scanHeaders(b)!.bodyOffset);
  assert.equal(review(gupPatch("p")), true);
  assert.equal(review(seriesPatch("s", 1, 2, false)), false, "a diff without GUP symbols");
  assert.equal(review(plainMail("m")), false);
  const prose = Buffer.from("Subject: [PATCH] x\n\nThis converts pin_user_pages() callers.\n\ndiff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-int a;\n+int b;\n");
  assert.equal(review(prose), false, "a symbol named only in the commit message");
  const pinUnderscoreVariant = Buffer.from("Subject: [PATCH] x\n\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-int a;\n+\tret = my_pin_user_pages_helper(p);\n");
  assert.equal(review(pinUnderscoreVariant), false, "an identifier that only contains a GUP name");
});

test("the prefilter sees through quoted-printable and sends base64 to the parser", () => {
  const qp = Buffer.from(
    "Subject: [PATCH] x\nContent-Transfer-Encoding: quoted-printable\n\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-int a;\n+\tret =3D pin_user_pa=\nges_fast(addr, n, FOLL_WRITE, pages);\n",
  );
  assert.equal(needsReview(qp, scanHeaders(qp)!.bodyOffset), true);
  const qpPlain = Buffer.from("Subject: [PATCH] x\nContent-Transfer-Encoding: quoted-printable\n\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-int a;\n+int b =3D 1;\n");
  assert.equal(needsReview(qpPlain, scanHeaders(qpPlain)!.bodyOffset), false);
  const b64 = Buffer.from("Subject: [PATCH] x\nContent-Transfer-Encoding: base64\n\nLS0tIGEveC5jCg==\n");
  assert.equal(needsReview(b64, scanHeaders(b64)!.bodyOffset), true);
});
