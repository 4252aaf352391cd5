// /healthz and /metrics after real polls: one list read and reviewed, one
// whose mailbox is gone. /metrics speaks Prometheus' text format (prom-client)
// with what the polls did; /healthz says which list fails, how far behind
// each is, the outbox backlog, and answers 503 once the database is gone.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import pino from "pino";
import { pollList } from "../../src/poller/poll-list.js";
import { closePollerContext, createPollerContext, type PollerContext } from "../../src/poller/poller-context.js";
import { ALL_RULES } from "../../src/rules/index.js";
import { buildApp } from "../../src/web/app.js";
import { DashboardAuth } from "../../src/web/auth.js";
import { startWeb } from "../../src/web/start-web.js";
import type { HealthReport } from "../../src/ops/health.js";
import { gupPatch, mboxEntry, plainMail } from "../helpers/mail-factory.js";
import { pollerLab, type PollerLab } from "../helpers/poller-setup.js";

const silent = pino({ level: "silent" });

let lab: PollerLab;
let mailbox: string;
let ctx: PollerContext;

before(async () => {
  mailbox = join(mkdtempSync(join(tmpdir(), "pinwatch-ops-")), "ops.mbox");
  writeFileSync(mailbox, [gupPatch("ops-1"), gupPatch("ops-2"), plainMail("ops-3"), gupPatch("ops-4")].map(mboxEntry).join(""));
  lab = pollerLab([
    { name: "ops", source: { type: "mailbox", path: mailbox } },
    { name: "gone", source: { type: "mailbox", path: join(dirname(mailbox), "no-such.mbox") } },
  ]);
  ctx = createPollerContext(lab.config, silent, undefined, silent);
  await pollList(lab.config.lists[0]!, ctx);
  await assert.rejects(pollList(lab.config.lists[1]!, ctx), { code: "PW_E_SOURCE_FETCH" });
});
after(async () => {
  await closePollerContext(ctx);
  lab.close();
  rmSync(dirname(mailbox), { recursive: true, force: true });
});

/** The value of one sample line of the exposition, e.g. `pinwatch_reviews_total{list="ops"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : undefined;
}

test("/metrics: messages read, reviews, findings by rule, replies by state, durations and errors by code", async () => {
  const app = await buildApp({ store: ctx.store, config: lab.config, rules: ALL_RULES, auth: new DashboardAuth(undefined, "s"), metrics: ctx.metrics });
  try {
    const res = await app.inject({ method: "GET", url: "/metrics" });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
    const text = res.body;
    assert.equal(sample(text, 'pinwatch_messages_read_total{list="ops"}'), 4);
    assert.equal(sample(text, 'pinwatch_messages_stored_total{list="ops"}'), 4);
    assert.equal(sample(text, 'pinwatch_reviews_total{list="ops"}'), 3);
    assert.equal(sample(text, 'pinwatch_findings_total{rule="release-mismatch"}'), 3);
    assert.equal(sample(text, 'pinwatch_replies_delivered_total{via="maildir"}'), 3);
    assert.equal(sample(text, 'pinwatch_replies{state="sent"}'), 3);
    assert.equal(sample(text, 'pinwatch_replies{state="failed"}'), 0);
    assert.equal(sample(text, 'pinwatch_poll_duration_seconds_count{list="ops",outcome="ok"}'), 1);
    assert.equal(sample(text, 'pinwatch_poll_duration_seconds_count{list="gone",outcome="failed"}'), 1);
    assert.ok((sample(text, "pinwatch_review_duration_seconds_count") ?? 0) >= 3, "each posting's review is timed");
    assert.equal(sample(text, 'pinwatch_errors_total{code="PW_E_SOURCE_FETCH"}'), 1);
    assert.ok((sample(text, 'pinwatch_poll_lag_seconds{list="ops"}') ?? -1) >= 0);
    assert.equal(sample(text, "pinwatch_sending_paused"), 0);
    assert.match(text, /^process_cpu_seconds_total /m, "and the process's own");
    assert.match(text, /^# HELP pinwatch_findings_total /m);
  } finally {
    await app.close();
  }
});

test("/healthz: each list's lag and failures, the outbox backlog; 503 when the database cannot be read", async () => {
  const app = await buildApp({ store: ctx.store, config: lab.config, rules: ALL_RULES, auth: new DashboardAuth(undefined, "s") });
  try {
    const res = await app.inject({ method: "GET", url: "/healthz" });
    assert.equal(res.statusCode, 200);
    const report = res.json() as HealthReport;
    assert.equal(report.status, "degraded");
    assert.deepEqual(report.database, { ok: true });
    const ops = report.lists.find((l) => l.list === "ops")!;
    assert.ok(ops.lagSeconds !== undefined && ops.lagSeconds < 60 && !ops.stale && ops.consecutiveFailures === 0);
    const gone = report.lists.find((l) => l.list === "gone")!;
    assert.equal(gone.consecutiveFailures, 1);
    assert.match(gone.lastError ?? "", /mailbox does not exist/);
    assert.deepEqual(report.problems, ["gone: the last 1 polls failed"]);
    assert.deepEqual(report.outbox, { backlog: 0, pending: 0, sending: 0, held: 0, failed: 0 });
  } finally {
    await app.close();
  }

  const later = pollerLab([{ name: "ops", source: { type: "mailbox", path: mailbox } }]);
  const laterCtx = createPollerContext(later.config, silent, undefined, silent);
  await pollList(later.config.lists[0]!, laterCtx);
  const fine = await buildApp({ store: laterCtx.store, config: later.config, rules: ALL_RULES, auth: new DashboardAuth(undefined, "s") });
  try {
    assert.equal(((await fine.inject({ method: "GET", url: "/healthz" })).json() as HealthReport).status, "ok");
    const stale = await buildApp({ store: laterCtx.store, config: later.config, rules: ALL_RULES, auth: new DashboardAuth(undefined, "s"), now: () => new Date(Date.now() + 2 * 3600_000) });
    const report = (await stale.inject({ method: "GET", url: "/healthz" })).json() as HealthReport;
    assert.equal(report.status, "degraded");
    assert.equal(report.lists[0]!.stale, true, "two hours without a good poll is past maxLagMinutes");
    await stale.close();
    await laterCtx.store.close();
    const down = await fine.inject({ method: "GET", url: "/healthz" });
    assert.equal(down.statusCode, 503);
    assert.equal((down.json() as HealthReport).status, "down");
  } finally {
    await fine.close();
    await closePollerContext(laterCtx);
    later.close();
  }
});

test("curl /metrics on a listening dashboard", async () => {
  const config = { ...lab.config, web: { ...lab.config.web, port: 0 } };
  const web = await startWeb(config, ctx.store, undefined, silent, {}, ctx.metrics);
  try {
    const res = await fetch(`${web.url}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    const ours = text.split("\n").filter((l) => l.startsWith("pinwatch_") && !/_bucket\{/.test(l));
    assert.ok(ours.length > 10);
    process.stderr.write(`curl ${web.url}/metrics (pinwatch_* samples, histogram buckets left out):\n${ours.join("\n")}\n`);
  } finally {
    await web.close();
  }
});
