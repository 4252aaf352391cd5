// The command line as a new user meets it: help per command, unknown
// options refused with that command's usage, one JSON document from every
// command that prints results, control bytes from mail never reaching the
// terminal.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/fixtures.js";
import { pollerLab } from "../helpers/poller-setup.js";

const CLI = join(ROOT, "dist", "src", "cli", "main.js");
const demo = join(ROOT, "demo", "lore-demo.mbox");

function pinwatch(args: string[], input?: string | Buffer) {
  return spawnSync(process.execPath, [CLI, ...args], { input, encoding: "utf8", env: { ...process.env, PINWATCH_LOG_LEVEL: "error" } });
}

/** C0 controls other than tab and line feed, DEL, and C1 controls. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

test("help per command: `pinwatch help review` and `review --help` print review's usage on stdout", () => {
  for (const args of [["help", "review"], ["review", "--help"]]) {
    const r = pinwatch(args);
    assert.equal(r.status, 0, args.join(" "));
    assert.match(r.stdout, /^Usage: pinwatch review \[options\] <input\.\.\.>/);
    assert.match(r.stdout, /--fail-on <severity>/);
    assert.match(r.stdout, /--format <format>/);
    assert.match(r.stdout, /N patches reviewed, E errors, W warnings, S skipped/);
    assert.equal(r.stderr, "");
  }
  const outbox = pinwatch(["help", "outbox"]);
  assert.equal(outbox.status, 0);
  assert.match(outbox.stdout, /pinwatch outbox list \[options\]/);
  const list = pinwatch(["outbox", "list", "--help"]);
  assert.equal(list.status, 0);
  assert.match(list.stdout, /^Usage: pinwatch outbox list/);
});

test("each command's help gives its own exit status 3: review --fail-on, a list that could not be polled", () => {
  const review = pinwatch(["help", "review"]).stdout;
  assert.match(review, /3 --fail-on: a finding at or above\s+that severity/);
  assert.doesNotMatch(review, /could not be polled/);
  for (const command of ["poll", "backfill"]) {
    const help = pinwatch([command, "--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /3 a list\s+could not be polled/, command);
    assert.doesNotMatch(help.stdout, /fail-on/, command);
  }
  const retry = pinwatch(["outbox", "retry", "--help"]).stdout;
  assert.match(retry, /^Usage: pinwatch outbox retry \[options\] \[id\]/);
  assert.match(retry, /--all/);
});

test("`pinwatch` alone is bad usage: the help goes to stderr and the exit is 2", () => {
  const r = pinwatch([]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^Usage: pinwatch \[options\] \[command\]/);
  assert.match(r.stderr, /pinwatch review \[options\] <input\.\.\.>/);
  const outbox = pinwatch(["outbox"]);
  assert.equal(outbox.status, 2);
  assert.equal(outbox.stdout, "");
});

test("an unknown option is refused with a coded one-line error and that command's usage", () => {
  const r = pinwatch(["review", "--jsn", "x.eml"]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, "");
  const [first, second, third] = r.stderr.split("\n");
  assert.equal(first, "pinwatch: PW_E_USAGE unknown option '--jsn' (Did you mean --json?)");
  assert.equal(second, "");
  assert.equal(third, "Usage: pinwatch review [options] <input...>");
  // Each command knows only its own options.
  for (const args of [["run", "--json"], ["serve", "--once"], ["review", "--once", "x"], ["outbox", "list", "--to", "x"], ["digest", "--state", "held"]]) {
    const bad = pinwatch(args);
    assert.equal(bad.status, 2, args.join(" "));
    assert.match(bad.stderr, /^pinwatch: PW_E_USAGE unknown option/, args.join(" "));
    assert.match(bad.stderr, new RegExp(`Usage: pinwatch ${args[0]}`), args.join(" "));
  }
  const unknown = pinwatch(["frobnicate"]);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^pinwatch: PW_E_USAGE unknown command 'frobnicate'/);
  const badChoice = pinwatch(["review", "--fail-on", "info", "x"]);
  assert.equal(badChoice.status, 2);
  assert.match(badChoice.stderr, /Allowed choices are warning, error/);
});

test("a usage error inside a command names what is wrong and shows the command's usage", () => {
  const r = pinwatch(["poll", "--json"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^pinwatch poll: PW_E_USAGE --json needs --once/);
  assert.match(r.stderr, /Usage: pinwatch poll \[options\]/);
});

test("--json gives exactly one JSON document on stdout: poll, backfill, outbox list and show, digest", () => {
  const lab = pollerLab([{ name: "demo", source: { type: "mailbox", path: demo } }]);
  try {
    const c = ["--config", lab.configPath];
    const poll = pinwatch(["poll", "--once", "--json", ...c]);
    assert.equal(poll.status, 0, poll.stderr);
    const polled = JSON.parse(poll.stdout);
    assert.equal(polled.lists.length, 1);
    assert.equal(polled.lists[0].list, "demo");
    assert.equal(polled.lists[0].stats.read, 5);
    assert.equal(polled.lists[0].delivery.written, 2);

    const backfill = pinwatch(["backfill", "--list", "demo", "--since", "2025-06-01", "--json", ...c]);
    assert.equal(backfill.status, 0, backfill.stderr);
    assert.equal(JSON.parse(backfill.stdout).lists[0].stats.read, 1);

    const list = pinwatch(["outbox", "list", "--json", ...c]);
    assert.equal(list.status, 0, list.stderr);
    const { outbox } = JSON.parse(list.stdout);
    assert.equal(outbox.length, 2);
    assert.equal(outbox[0].raw, undefined, "the list leaves the messages out");
    assert.ok(outbox.every((e: { state: string }) => e.state === "sent"));

    const show = pinwatch(["outbox", "show", String(outbox[0].id), "--json", ...c]);
    assert.equal(show.status, 0, show.stderr);
    const entry = JSON.parse(show.stdout);
    assert.equal(entry.id, outbox[0].id);
    assert.match(entry.raw, /^From: pinwatch/m);

    const digest = pinwatch(["digest", "--since", "2020-01-01", "--json", ...c]);
    assert.equal(digest.status, 0, digest.stderr);
    const d = JSON.parse(digest.stdout);
    assert.equal(typeof d.subject, "string");
    assert.ok(d.findings >= 2);
    assert.match(d.text, /RDMA|ubuf|demo/);
  } finally {
    lab.close();
  }
});

test("control bytes from mail are made visible, never written raw: a binary input and a crafted subject", () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-controls-"));
  const binary = join(dir, "blob.eml");
  writeFileSync(binary, Buffer.from([0x00, 0x1b, 0x5b, 0x32, 0x4a, 0x07, 0x9b, 0x41, 0xff, 0x00, 0x0d, 0x0a]));
  const subject = "[PATCH] x: \u001b]0;pwned\u0007 title \u001b[2J clear \u202eevil";
  const crafted = join(dir, "crafted.eml");
  writeFileSync(crafted, `From: A <a@example.org>\nTo: l@example.org\nSubject: ${subject}\nMessage-ID: <ctl@example.org>\n\nplain words\n`);
  for (const format of ["text", "json", "b4"]) {
    const r = pinwatch(["review", "--format", format, binary, crafted]);
    assert.equal(r.status, 1, r.stderr);
    assert.doesNotMatch(r.stdout, RAW_CONTROL, format);
    assert.doesNotMatch(r.stderr, RAW_CONTROL, format);
    assert.doesNotMatch(r.stdout + r.stderr, /\u202e/, format);
    if (format === "text") {
      assert.match(r.stdout, /crafted\.eml: \[PATCH\] x: \\x1b\]0;pwned\\x07 title \\x1b\[2J clear \\u202eevil <ctl@example\.org>: no findings/);
      assert.match(r.stderr, /blob\.eml: error: no mail headers found \(starts with "\\x00\\x1b\[2J\\x07/);
    }
    if (format === "json") assert.equal(JSON.parse(r.stdout).reviews[0].subject, subject, "the JSON still carries the subject as it was");
  }
});

test("outbox list shows a hostile subject with its control bytes made visible", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-hostile-outbox-"));
  const mbox = join(dir, "list.mbox");
  const patch = spawnSync("cat", [join(ROOT, "test", "fixtures", "mail", "patch-pin-put-page.eml")], { encoding: "utf8" }).stdout
    .replace(/^Subject: .*$/m, "Subject: [PATCH] RDMA/foo: \u001b]0;owned\u0007\u001b[2J pin")
    .replace(/^In-Reply-To: .*\n/m, "")
    .replace(/^References: .*\n/m, "");
  writeFileSync(mbox, `From x Thu Jan  1 00:00:00 1970\n${patch}\n`);
  const lab = pollerLab([{ name: "rdma", source: { type: "mailbox", path: mbox } }]);
  try {
    await lab.poll("rdma");
    const r = pinwatch(["outbox", "list", "--config", lab.configPath]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, RAW_CONTROL);
    assert.match(r.stdout, /RDMA\/foo: \\x1b\]0;owned\\x07\\x1b\[2J pin/);
    const show = pinwatch(["outbox", "show", "1", "--config", lab.configPath]);
    assert.doesNotMatch(show.stdout, RAW_CONTROL);
  } finally {
    lab.close();
  }
});

