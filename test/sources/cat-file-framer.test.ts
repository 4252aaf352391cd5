// Framing cat-file output however the pipe cuts it: every split point of a
// stream with small, empty and missing objects gives the same blobs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CatFileFramer } from "../../src/sources/cat-file-framer.js";
import type { Blob } from "../../src/sources/git.js";

const objects: { oid: string; body?: string }[] = [
  { oid: "a".repeat(40), body: "From: x\n\nhello\n" },
  { oid: "b".repeat(40), body: "" },
  { oid: "c".repeat(40) },
  { oid: "d".repeat(40), body: "line one\nline two, no final newline" },
  { oid: "e".repeat(40), body: "\n\n\n" },
];
const output = Buffer.from(
  objects.map((o) => (o.body === undefined ? `${o.oid} missing\n` : `${o.oid} blob ${Buffer.byteLength(o.body)}\n${o.body}\n`)).join(""),
);

function frame(chunks: Buffer[]): Blob[] {
  const blobs: Blob[] = [];
  const framer = new CatFileFramer((b) => blobs.push({ oid: b.oid, bytes: b.bytes && Buffer.from(b.bytes) }));
  for (const c of chunks) framer.push(c);
  return blobs;
}

const expected = objects.map((o) => ({ oid: o.oid, bytes: o.body === undefined ? undefined : Buffer.from(o.body) }));

test("one chunk", () => {
  assert.deepEqual(frame([output]), expected);
});

test("every split into two chunks, and every split into three", () => {
  for (let i = 0; i <= output.length; i++) {
    assert.deepEqual(frame([output.subarray(0, i), output.subarray(i)]), expected, `split at ${i}`);
    for (let j = i; j <= output.length; j += 7) {
      assert.deepEqual(frame([output.subarray(0, i), output.subarray(i, j), output.subarray(j)]), expected, `split at ${i} and ${j}`);
    }
  }
});

test("one byte at a time", () => {
  assert.deepEqual(frame([...output].map((b) => Buffer.from([b]))), expected);
});

test("a header cat-file would not write is refused, naming it", () => {
  const framer = new CatFileFramer(() => undefined);
  assert.throws(() => framer.push(Buffer.from("fatal: not a git repository\n")), /unexpected cat-file header "fatal: not a git repository"/);
});
