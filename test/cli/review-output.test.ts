// `pinwatch review` output as checkpatch and compilers have taught kernel
// developers to read it: a header per patch with findings, `file:LINE:
// severity: message [rule-id]` lines, runs of clean patches collapsed, a
// total line, input order kept (series patches are reviewed late), --quiet,
// --fail-on, each input error once, and b4's CI check results.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fixture, readFixture, ROOT } from "../helpers/fixtures.js";

const CLI = join(ROOT, "dist", "src", "cli", "main.js");

function pinwatch(args: string[], input?: string) {
  return spawnSync(process.execPath, [CLI, ...args], { input, encoding: "utf8", env: { ...process.env, PINWATCH_LOG_LEVEL: "error" } });
}

function mboxOf(parts: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-output-"));
  const path = join(dir, "list.mbox");
  writeFileSync(path, parts.map((p) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${p.replace(/^(>*From )/gm, ">$1")}\n`).join(""));
  return path;
}

const mail = (name: string) => readFixture("mail", name).toString("utf8");
/** The list as it streams past: a series patch (3/5, reviewed only when the input ends), two clean patches, a reply, another series' patch (2/2), a cover letter. */
const LIST = [
  mail("patch-case5-write.eml"),
  mail("patch-fix-unpin.eml"),
  mail("patch-fix-unpin.eml").replace(/^Message-Id: <[^>]+>/m, "Message-Id: <fix-again@example.org>"),
  mail("reply-quoting-diff.eml"),
  mail("patch-pin-put-page.eml"),
  mail("cover-letter.eml"),
];

test("text: findings under a one-line header, clean patches collapsed, skipped mail counted, input order kept", () => {
  const mbox = mboxOf(LIST);
  const r = pinwatch(["review", mbox]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
  const lines = r.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 6, r.stdout);
  assert.equal(lines[0], `${mbox}#1: [PATCH v2 3/5] ubuf: write completion records into the user buffer <20250512080000.1000-4-ada@example.org>`);
  assert.match(lines[1]!, /^drivers\/misc\/ubuf\.c:56: warning: \S.* \[gup-data-access\]$/);
  assert.equal(lines[2], `${mbox}#2 ... ${mbox}#3: 2 patches, no findings`);
  assert.equal(lines[3], `${mbox}#5: [PATCH rdma-next 2/2] RDMA/foo: register user memory regions <20250604153000.77-3-bo@example.net>`);
  assert.match(lines[4]!, /^drivers\/infiniband\/hw\/foo\/foo_mr\.c:149: error: \S.* \[release-mismatch\]$/);
  assert.equal(lines[5], "4 patches reviewed, 1 error, 1 warning, 2 skipped");
});

test("a single clean patch is one line; --quiet prints the finding lines alone", () => {
  const clean = pinwatch(["review", fixture("mail", "patch-fix-unpin.eml")]);
  assert.equal(clean.stdout, `${fixture("mail", "patch-fix-unpin.eml")}: [PATCH] ubuf: release pinned pages with unpin_user_pages_dirty_lock() <20250513090000.2000-1-ada@example.org>: no findings\n1 patch reviewed, 0 errors, 0 warnings, 0 skipped\n`);
  const quiet = pinwatch(["review", "--quiet", mboxOf(LIST)]);
  assert.equal(quiet.status, 0);
  const lines = quiet.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^drivers\/misc\/ubuf\.c:56: warning: /);
  assert.match(lines[1]!, /^drivers\/infiniband\/hw\/foo\/foo_mr\.c:149: error: /);
  assert.equal(quiet.stderr, "");
});

test("--fail-on: exit 3 when a finding reaches the severity, 0 below it; an unreadable input still exits 1", () => {
  const warningOnly = fixture("mail", "patch-case5-write.eml");
  assert.equal(pinwatch(["review", "--fail-on", "warning", warningOnly]).status, 3);
  assert.equal(pinwatch(["review", "--fail-on", "error", warningOnly]).status, 0);
  assert.equal(pinwatch(["review", "--fail-on", "error", fixture("mail", "patch-pin-put-page.eml")]).status, 3);
  assert.equal(pinwatch(["review", warningOnly]).status, 0, "without --fail-on, findings do not fail");
  assert.equal(pinwatch(["review", "--fail-on", "warning", warningOnly, "/no/such/file.eml"]).status, 1);
});

test("an input error is reported once, as a diagnostic on stderr, and counted in the total", () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-once-"));
  const junk = join(dir, "junk.eml");
  writeFileSync(junk, "\u0000\u0001 not mail\n");
  const r = pinwatch(["review", junk, fixture("mail", "patch-fix-unpin.eml")]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr.split(junk).length - 1, 1, `named once: ${r.stderr}`);
  assert.match(r.stderr, new RegExp(`^${junk.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: error: no mail headers found .* \\[PW_E_MAIL_PARSE\\]\\n$`));
  assert.match(r.stdout, /^1 patch reviewed, 0 errors, 0 warnings, 0 skipped; 1 input could not be read$/m);
  const json = pinwatch(["review", "--json", junk]);
  assert.equal(json.stderr.split(junk).length - 1, 1);
  assert.deepEqual(JSON.parse(json.stdout).totals, { reviewed: 0, errors: 0, warnings: 0, info: 0, skipped: 0, unreadable: 1 });
});

test("--format b4: one CI check result per patch in b4 review's protocol", () => {
  const r = pinwatch(["review", "--format", "b4", mboxOf(LIST)]);
  assert.equal(r.status, 0, r.stderr);
  const results = JSON.parse(r.stdout) as Record<string, string>[];
  assert.ok(Array.isArray(results));
  assert.deepEqual(results.map((x) => [x.tool, x.status]), [["pinwatch", "warn"], ["pinwatch", "pass"], ["pinwatch", "pass"], ["pinwatch", "fail"]], "replies and cover letters get no result");
  for (const x of results) {
    assert.deepEqual(Object.keys(x).filter((k) => !["tool", "status", "summary", "url", "details"].includes(k)), []);
    assert.equal(typeof x.summary, "string");
  }
  assert.equal(results[0]!.summary, "1 warning");
  assert.match(results[0]!.url!, /^https:\/\/docs\.kernel\.org\/core-api\/pin_user_pages\.html#case-5/);
  assert.match(results[0]!.details!, /^drivers\/misc\/ubuf\.c:56: warning: .*\[gup-data-access\]\n  .*https:\/\/docs\.kernel\.org\//);
  assert.equal(results[1]!.summary, "no GUP/pin findings");
  assert.equal(results[3]!.summary, "1 error");

  // As b4 runs it: one patch on stdin.
  const one = pinwatch(["review", "--format", "b4", "-"], mail("patch-pin-put-page.eml"));
  assert.equal(one.status, 0);
  assert.deepEqual(JSON.parse(one.stdout).map((x: { status: string }) => x.status), ["fail"]);
  // A cover letter (b4's per-series command gets one): nothing to report.
  assert.deepEqual(JSON.parse(pinwatch(["review", "--format", "b4", "-"], mail("cover-letter.eml")).stdout), []);
  // Not mail at all: a failure of the tool, as b4 shows one.
  const bad = pinwatch(["review", "--format", "b4", "-"], "\u0000 nothing");
  assert.equal(bad.status, 1);
  assert.equal(JSON.parse(bad.stdout)[0].status, "fail");
});
