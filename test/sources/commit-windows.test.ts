// An epoch's read holds rev-list's output as one string and makes arrays of
// commits a window at a time: every commit comes out once, in order, with
// or without a last newline.
import assert from "node:assert/strict";
import { test } from "node:test";
import { countLines, windowsOf } from "../../src/sources/git-epochs.js";

test("windowsOf cuts rev-list's output into windows, in order, each commit once", () => {
  const commits = Array.from({ length: 10 }, (_, i) => String(i).repeat(40));
  const list = commits.map((c) => `${c}\n`).join("");
  assert.deepEqual([...windowsOf(list, 4)], [commits.slice(0, 4), commits.slice(4, 8), commits.slice(8)]);
  assert.deepEqual([...windowsOf(list.trimEnd(), 5)], [commits.slice(0, 5), commits.slice(5)]);
  assert.deepEqual([...windowsOf("", 4)], []);
  assert.equal(countLines(list), 10);
  assert.equal(countLines(list.trimEnd()), 10);
  assert.equal(countLines(""), 0);
});
