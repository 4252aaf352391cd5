// Text from mail on a terminal: control characters become visible escapes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { excerpt } from "../src/errors.js";
import { visible, visibleJson } from "../src/visible-text.js";

test("visible() and visibleJson(): escapes, kept newlines and tabs, valid JSON", () => {
  assert.equal(visible("a\u001b[31mb\u0000c\u007f\u0085\u200fd"), "a\\x1b[31mb\\x00c\\x7f\\x85\\u200fd");
  assert.equal(visible("x\r\ny\tz"), "x\\x0d\\x0ay\\x09z");
  assert.equal(visible("x\r\ny\tz", { newlines: true, tabs: true }), "x\ny\tz");
  const value = { s: "a\u001b\u009b\u2028\u202eb", n: [1, 2] };
  const json = visibleJson(value, 1);
  assert.doesNotMatch(json, /[\u001b\u009b\u2028\u202e]/);
  assert.deepEqual(JSON.parse(json), value);
});

test("error excerpts of bad input show its control bytes escaped", () => {
  assert.equal(excerpt("\u0000\u001b[2J\u0007 junk"), "\\x00\\x1b[2J\\x07 junk");
});
