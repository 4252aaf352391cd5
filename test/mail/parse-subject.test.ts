import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSubject } from "../../src/mail/parse-subject.js";

test("parseSubject reads version, position and tree of a series patch", () => {
  const t = parseSubject("[RFC PATCH net-next v3 02/10] net: do a thing");
  assert.equal(t.isPatch, true);
  assert.equal(t.isRfc, true);
  assert.equal(t.version, 3);
  assert.equal(t.index, 2);
  assert.equal(t.total, 10);
  assert.equal(t.tree, "net-next");
  assert.equal(t.text, "net: do a thing");
});

test("parseSubject sees replies behind list tags and localized markers", () => {
  assert.equal(parseSubject("Re: [PATCH v2 1/2] x").isReply, true);
  assert.equal(parseSubject("Aw: [PATCH] x").isReply, true);
  assert.equal(parseSubject("[Linaro-mm-sig] Re: [PATCH] x").isReply, true);
  assert.equal(parseSubject("[Linaro-mm-sig] [PATCH V1] x").isReply, false);
});

test("parseSubject recognises cover letters, RESEND, stable targets and pull requests", () => {
  assert.equal(parseSubject("[PATCH v2 0/5] series").index, 0);
  assert.equal(parseSubject("[PATCH RESEND] x").isResend, true);
  assert.equal(parseSubject("[PATCH 5.10] mm: fix").tree, "5.10");
  assert.equal(parseSubject("[PATCH 6.1.y 1/3] mm: fix").tree, "6.1.y");
  assert.equal(parseSubject("[GIT PULL] rdma fixes").isPull, true);
  assert.equal(parseSubject("[RFCv2 08/16] KVM: x").version, 2);
});
