import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { readInputs, type InputItem } from "../../src/input/read-inputs.js";
import { splitMbox } from "../../src/input/split-mbox.js";
import { readFixture } from "../helpers/fixtures.js";

const one = readFixture("mail", "patch-case5-write.eml").toString("utf8");
const two = readFixture("mail", "patch-fix-unpin.eml").toString("utf8");
const mboxo = `From 1234567890abcdef Mon Sep 17 00:00:00 2001\n${one}\nFrom 0fedcba987654321 Mon Sep 17 00:00:00 2001\n${two}`;

function messages(items: InputItem[]) {
  return items.filter((i) => i.kind === "message").map((i) => (i.kind === "message" ? i.message : null)!);
}

test("splitMbox splits git format-patch --stdout output", () => {
  const parts = splitMbox(Buffer.from(mboxo));
  assert.equal(parts.length, 2);
  assert.match(parts[0]!.toString(), /^From: Ada Example/);
  assert.match(parts[1]!.toString(), /^From: Ada Example/);
});

test("splitMbox undoes mboxrd >From escaping and keeps body lines that only start with From", () => {
  const mbox = "From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: a\n\n>From the start\n>>From quoted\nFrom here on it is body\n";
  const [only] = splitMbox(Buffer.from(mbox));
  assert.equal(only!.toString(), "Subject: a\n\nFrom the start\n>From quoted\nFrom here on it is body\n");
});

test("readInputs reads .eml, mbox, gzip'ed mbox, maildir and stdin", () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-inputs-"));
  writeFileSync(join(dir, "one.eml"), one);
  writeFileSync(join(dir, "series.mbox"), mboxo);
  writeFileSync(join(dir, "t.mbox.gz"), gzipSync(Buffer.from(mboxo)));
  const maildir = join(dir, "Maildir");
  for (const sub of ["cur", "new", "tmp"]) mkdirSync(join(maildir, sub), { recursive: true });
  writeFileSync(join(maildir, "new", "1.host"), one);
  writeFileSync(join(maildir, "cur", "2.host:2,S"), two);

  const items = [...readInputs([join(dir, "one.eml"), join(dir, "series.mbox"), join(dir, "t.mbox.gz"), maildir, "-"], () => Buffer.from(one))];
  const got = messages(items);
  assert.equal(items.filter((i) => i.kind === "error").length, 0);
  assert.deepEqual(got.map((m) => m.source.replace(dir, "D")), [
    "D/one.eml", "D/series.mbox#1", "D/series.mbox#2", "D/t.mbox.gz#1", "D/t.mbox.gz#2", "D/Maildir/new/1.host", "D/Maildir/cur/2.host:2,S", "<stdin>",
  ]);
});

test("readInputs turns missing, empty and corrupt inputs into named errors and goes on", () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-bad-"));
  writeFileSync(join(dir, "empty.eml"), "");
  writeFileSync(join(dir, "bad.gz"), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
  writeFileSync(join(dir, "good.eml"), one);
  const items = [...readInputs([join(dir, "missing.eml"), join(dir, "empty.eml"), join(dir, "bad.gz"), join(dir, "good.eml")])];
  const errors = items.flatMap((i) => (i.kind === "error" ? [i.error] : []));
  assert.deepEqual(errors.map((e) => e.code), ["PW_E_INPUT_READ", "PW_E_INPUT_FORMAT", "PW_E_INPUT_FORMAT"]);
  assert.ok(errors.every((e) => e.message.startsWith(dir)));
  assert.equal(messages(items).length, 1);
});

test("an mbox larger than a read chunk is split as it is read, into the same messages as whole", () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-big-"));
  // 600 messages of ~5 KB (3 MB, several chunks), each with an escaped body "From " line, so postmarks and escapes fall across chunk edges.
  const filler = "x".repeat(72) + "\n";
  const mbox = Array.from({ length: 600 }, (_, i) =>
    `From sender@example.org Mon Jun  1 10:00:00 2026\nMessage-ID: <big-${i}@example.org>\nSubject: message ${i}\n\n${filler.repeat(i % 130)}>From the body ${i}\n`,
  ).join("\n");
  writeFileSync(join(dir, "big.mbox"), mbox);
  const single = `From sender@example.org Mon Jun  1 10:00:00 2026\nMessage-ID: <huge@example.org>\n\n${filler.repeat(40_000)}`;
  writeFileSync(join(dir, "one-big.mbox"), single);

  const items = [...readInputs([join(dir, "big.mbox"), join(dir, "one-big.mbox")])];
  assert.equal(items.filter((i) => i.kind === "error").length, 0);
  const got = messages(items);
  const whole = splitMbox(Buffer.from(mbox));
  assert.equal(got.length, 601);
  assert.deepEqual(got.slice(0, 600).map((m) => m.bytes.toString()), whole.map((b) => b.toString()));
  assert.deepEqual(got.slice(0, 600).map((m) => m.source.replace(dir, "D")), whole.map((_, i) => `D/big.mbox#${i + 1}`));
  assert.ok(got[599]!.bytes.toString().endsWith("From the body 599\n"));
  assert.equal(got[600]!.source, join(dir, "one-big.mbox"));
  assert.equal(got[600]!.bytes.toString(), splitMbox(Buffer.from(single))[0]!.toString());
  rmSync(dir, { recursive: true, force: true });
});
