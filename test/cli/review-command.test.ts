import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fixture, ROOT } from "../helpers/fixtures.js";

const CLI = join(ROOT, "dist", "src", "cli", "main.js");

function pinwatch(args: string[], input?: string) {
  return spawnSync(process.execPath, [CLI, ...args], { input, encoding: "utf8", env: { ...process.env, PINWATCH_LOG_LEVEL: "error" } });
}

test("--help works and bad usage exits 2", () => {
  const help = pinwatch(["--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /pinwatch review/);
  assert.equal(pinwatch(["review"]).status, 2);
  assert.equal(pinwatch(["frobnicate"]).status, 2);
  assert.equal(pinwatch(["review", "--no-such-flag", "x"]).status, 2);
});

test("review --json prints exactly one JSON document in the public shape", () => {
  const r = pinwatch(["review", "--json", fixture("mail", "patch-case5-write.eml"), fixture("mail", "reply-quoting-diff.eml"), fixture("mail", "cover-letter.eml")]);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.reviews.map((x: { kind: string }) => x.kind), ["patch", "reply", "cover"]);
  const [first] = doc.reviews;
  assert.equal(first.messageId, "20250512080000.1000-4-ada@example.org");
  assert.deepEqual(Object.keys(first), ["messageId", "subject", "source", "kind", "findings"]);
  assert.deepEqual(Object.keys(first.findings[0]), ["rule", "category", "severity", "cases", "file", "line", "function", "message", "citation"]);
  assert.deepEqual(first.findings[0].cases, ["case5"]);
  assert.deepEqual(doc.reviews[1].findings, [], "a reply quoting a diff is not reviewed");
});

test("an unreadable input exits 1, names the file, and the rest is still reviewed", () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-cli-"));
  writeFileSync(join(dir, "junk.eml"), "\u0000\u0001\u0002 not mail at all\n");
  const r = pinwatch(["review", "--json", join(dir, "nope.eml"), join(dir, "junk.eml"), fixture("mail", "patch-case5-write.eml")]);
  assert.equal(r.status, 1);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.reviews.length, 1);
  assert.deepEqual(doc.errors.map((e: { code: string }) => e.code), ["PW_E_INPUT_READ", "PW_E_MAIL_PARSE"]);
  assert.match(doc.errors[1].message, /junk\.eml/);
  assert.match(r.stderr, /junk\.eml/);
});

test("review - reads stdin, and --reply-dir writes one .eml per mail-worthy message", () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-replies-"));
  const input = readFileSync(fixture("mail", "patch-case5-write.eml"), "utf8");
  const r = pinwatch(["review", "--reply-dir", dir, "-"], input);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /gup-data-access/);
  const files = readdirSync(dir);
  assert.equal(files.length, 1);
  const reply = readFileSync(join(dir, files[0]!), "utf8");
  assert.match(reply, /^In-Reply-To: <20250512080000\.1000-4-ada@example\.org>/m);
});
