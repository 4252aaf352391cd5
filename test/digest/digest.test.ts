// The digest: new findings since the last one, grouped by series, with what
// later versions addressed; printed by `pinwatch digest`, or sent through
// the outbox once per recipient and period.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { digestFor, enqueueDigest, parseSince, runScheduledDigests } from "../../src/digest/digest-run.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { ROOT } from "../helpers/fixtures.js";
import { webLab, type WebLab } from "../helpers/web-lab.js";

const MAIN = join(ROOT, "dist", "src", "cli", "main.js");
let w: WebLab;
before(async () => {
  w = await webLab();
});
after(() => w?.close());

test("a week's digest: one line per series up top, then each series' findings, and what was addressed", async () => {
  const store = new SqliteStore(w.lab.config.poller.database);
  try {
    const now = new Date();
    const d = await digestFor(store, w.lab.config, undefined, {}, new Date(now.getTime() - 7 * 86400000), new Date(now.getTime() + 1000));
    assert.match(d.subject, /^pinwatch digest \d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d: 3 new findings, 2 addressed \(all lists\)$/);
    assert.equal(d.findings, 3);
    assert.match(d.text, /^\* RDMA\/foo: register user memory regions$/m);
    assert.match(d.text, /bo@example\.net on linux-rdma: 2 new \(2 error\), 2 addressed/);
    assert.match(d.text, /- release-mismatch \[error\] v1, v2: addressed, since v1\n {5}drivers\/infiniband\/hw\/foo\/foo_mr\.c: foo_mr_unpin\(\)/);
    assert.match(d.text, /- release-mismatch: addressed in v3/);
    assert.ok(d.text.split("\n").every((l) => l.length <= 100), "short lines");
    assert.match(d.html.value, /&lt;script&gt;/, "the HTML page escapes subjects");
    assert.doesNotMatch(d.html.value, /<script/);
  } finally {
    await store.close();
  }
});

test("sent through the outbox once per recipient and period; the next one starts where it ended", async () => {
  const store = new SqliteStore(w.lab.config.poller.database);
  try {
    const config = { ...w.lab.config, digest: { ...w.lab.config.digest, recipients: [{ to: "leon@example.com", lists: ["linux-rdma"] }] } };
    const now = new Date(Date.now() + 1000);
    assert.equal(await runScheduledDigests(store, config, undefined, now), 1);
    const [digest] = await store.outboxEntries({ state: "pending" }).then((e) => e.filter((x) => x.list === "digest"));
    assert.ok(digest);
    assert.deepEqual(digest.recipients, ["leon@example.com"]);
    assert.match(digest.raw, /^Auto-Submitted: auto-generated\r$/m);
    const d = await digestFor(store, config, undefined, {}, new Date(0), now);
    assert.equal(await enqueueDigest(store, config, "leon@example.com", d, new Date(0), now, now), true, "a different period is a new digest");
    assert.equal(await enqueueDigest(store, config, "leon@example.com", d, new Date(0), now, now), false, "the same period is not recorded twice");
    assert.equal((await store.lastDigest("leon@example.com"))!.periodEnd, now.toISOString());
  } finally {
    await store.close();
  }
});

test("`pinwatch digest --since 7d` prints it; --since says what it takes", async () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [MAIN, "digest", ...args, "--config", w.lab.configPath], { env: { ...process.env, PINWATCH_LOG_LEVEL: "silent" } });
      let out = "";
      let err = "";
      child.stdout.on("data", (c) => (out += c));
      child.stderr.on("data", (c) => (err += c));
      child.on("exit", (code) => resolve({ code, out, err }));
    });
  const ok = await run(["--since", "7d"]);
  assert.equal(ok.code, 0);
  assert.match(ok.out, /^Subject: pinwatch digest .*3 new findings/);
  const bad = await run(["--since", "soon"]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /PW_E_USAGE --since takes 12h, 1d, 2w or a date/);
  assert.equal(parseSince("12h", new Date(0))!.getTime(), -12 * 3600000);
});
