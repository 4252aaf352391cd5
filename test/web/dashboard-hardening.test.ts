// The dashboard left running on a network: the outbox (recipients, held
// reply texts) only for logged-in moderators, logout that ends the session,
// login guessing throttled, malformed requests answered 4xx (never 500), and
// digest links that point where the dashboard actually listens.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { InjectOptions } from "fastify";
import { ALL_RULES } from "../../src/rules/index.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { buildApp } from "../../src/web/app.js";
import { DashboardAuth } from "../../src/web/auth.js";
import { webLab, type WebLab } from "../helpers/web-lab.js";

let w: WebLab;
let store: SqliteStore;
let app: Awaited<ReturnType<typeof buildApp>>;
const FORM = { "content-type": "application/x-www-form-urlencoded" };

before(async () => {
  w = await webLab();
  store = new SqliteStore(w.lab.config.poller.database);
  app = await buildApp({ store, config: w.lab.config, rules: ALL_RULES, auth: new DashboardAuth("sesame", "test-secret") });
});
after(async () => {
  await app?.close();
  await store?.close();
  w?.close();
});

async function login(remoteAddress = "10.0.0.1"): Promise<{ cookie: string; csrf: string }> {
  const res = await app.inject({ method: "POST", url: "/login", payload: "token=sesame", headers: FORM, remoteAddress });
  assert.equal(res.statusCode, 303);
  const cookie = String(res.headers["set-cookie"]).split(";")[0]!;
  const outbox = await app.inject({ method: "GET", url: "/outbox", headers: { cookie } });
  return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(outbox.body)![1]! };
}

test("/outbox asks for a login and shows no recipient or reply text before it", async () => {
  const held = (await store.outboxEntries({ state: "held" }))[0]!;
  const anonymous = await app.inject({ method: "GET", url: "/outbox" });
  assert.equal(anonymous.statusCode, 401);
  assert.match(anonymous.body, /<form method="post" action="\/login">/);
  assert.doesNotMatch(anonymous.body, new RegExp(held.recipients[0]!.replace(/[.+]/g, "\\$&")), "no recipient");
  assert.doesNotMatch(anonymous.body, /Message-ID: <pinwatch-/, "no reply text");
  const { cookie } = await login();
  const moderator = await app.inject({ method: "GET", url: "/outbox", headers: { cookie } });
  assert.equal(moderator.statusCode, 200);
  assert.ok(moderator.body.includes(held.recipients[0]!));

  const noModeration = await buildApp({ store, config: w.lab.config, rules: ALL_RULES, auth: new DashboardAuth(undefined, "s") });
  try {
    const res = await noModeration.inject({ method: "GET", url: "/outbox" });
    assert.equal(res.statusCode, 403, "no token configured: nobody can see it");
    assert.doesNotMatch(res.body, new RegExp(held.recipients[0]!.replace(/[.+]/g, "\\$&")));
  } finally {
    await noModeration.close();
  }
});

test("logging out ends the session on the server: the old cookie no longer works", async () => {
  const { cookie, csrf } = await login("10.0.0.2");
  assert.equal((await app.inject({ method: "GET", url: "/api/outbox", headers: { cookie } })).statusCode, 200);
  const out = await app.inject({ method: "POST", url: "/logout", payload: `csrf=${encodeURIComponent(csrf)}`, headers: { ...FORM, cookie } });
  assert.equal(out.statusCode, 303);
  assert.equal((await app.inject({ method: "GET", url: "/api/outbox", headers: { cookie } })).statusCode, 401);
  assert.equal((await app.inject({ method: "GET", url: "/outbox", headers: { cookie } })).statusCode, 401);
  const reuse = await app.inject({ method: "POST", url: "/outbox/1/approve", payload: `csrf=${encodeURIComponent(csrf)}`, headers: { ...FORM, cookie } });
  assert.equal(reuse.statusCode, 401);
});

test("300 wrong tokens in a row: a handful are checked, the rest answered 429; another address is not held back", async () => {
  const started = Date.now();
  const statuses = [];
  for (let i = 0; i < 300; i++) statuses.push(await app.inject({ method: "POST", url: "/login", payload: `token=guess-${i}`, headers: FORM, remoteAddress: "192.0.2.66" }));
  const counts = new Map<number, number>();
  for (const r of statuses) counts.set(r.statusCode, (counts.get(r.statusCode) ?? 0) + 1);
  assert.equal(counts.get(401), w.lab.config.web.loginAttemptsPerMinute, `checked: ${JSON.stringify([...counts])}`);
  assert.equal(counts.get(429), 300 - w.lab.config.web.loginAttemptsPerMinute);
  const limited = statuses.find((r) => r.statusCode === 429)!;
  assert.ok(Number(limited.headers["retry-after"]) > 0, "says when to try again");
  const right = await app.inject({ method: "POST", url: "/login", payload: "token=sesame", headers: FORM, remoteAddress: "192.0.2.66" });
  assert.equal(right.statusCode, 429, "even the right token waits out the minute from that address");
  assert.equal((await app.inject({ method: "POST", url: "/login", payload: "token=sesame", headers: FORM, remoteAddress: "192.0.2.77" })).statusCode, 303);
  assert.ok(Date.now() - started < 60_000);
});

test("malformed requests are answered 4xx, never 500", async () => {
  const { cookie, csrf } = await login("10.0.0.3");
  const held = (await store.outboxEntries({ state: "held" }))[0]!;
  const cases: [string, InjectOptions][] = [
    ["an Origin that is not a URL (login)", { method: "POST", url: "/login", payload: "token=sesame", headers: { ...FORM, origin: "notaurl" }, remoteAddress: "10.0.0.4" }],
    ["an Origin that is not a URL (approve)", { method: "POST", url: `/outbox/${held.id}/approve`, payload: `csrf=${encodeURIComponent(csrf)}`, headers: { ...FORM, cookie, origin: "notaurl" } }],
    ["the CSRF field twice", { method: "POST", url: `/outbox/${held.id}/approve`, payload: `csrf=${encodeURIComponent(csrf)}&csrf=${encodeURIComponent(csrf)}`, headers: { ...FORM, cookie } }],
    ["the token twice", { method: "POST", url: "/login", payload: "token=sesame&token=sesame", headers: FORM, remoteAddress: "10.0.0.5" }],
    ["since twice", { method: "GET", url: "/digest?since=a&since=b" }],
    ["since too far back for a date", { method: "GET", url: "/digest?since=99999999999w" }],
    ["since that is no date", { method: "GET", url: "/api/digest?since=yesterday-ish" }],
    ["list twice in the digest", { method: "GET", url: "/api/digest?list=a&list=b" }],
    ["a reply number that is no number", { method: "POST", url: "/outbox/abc/approve", payload: `csrf=${encodeURIComponent(csrf)}`, headers: { ...FORM, cookie } }],
    ["a reply number that does not exist", { method: "POST", url: "/outbox/99999/approve", payload: `csrf=${encodeURIComponent(csrf)}`, headers: { ...FORM, cookie } }],
    ["bad percent-encoding in a path", { method: "GET", url: "/series/%E0%A4%A" }],
    ["a mangled session cookie", { method: "GET", url: "/api/outbox", headers: { cookie: "pinwatch_session=%E0%A4%A.x.y" } }],
    ["a JSON body that is not JSON", { method: "POST", url: "/login", payload: "{", headers: { "content-type": "application/json" }, remoteAddress: "10.0.0.6" }],
    ["a body type nobody reads", { method: "POST", url: "/logout", payload: "x", headers: { "content-type": "text/plain", cookie } }],
  ];
  for (const [name, request] of cases) {
    const res = await app.inject(request);
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${name}: ${res.statusCode} ${res.body.slice(0, 80)}`);
  }
  assert.equal((await store.outboxEntry(held.id))!.state, "held", "none of them approved anything");
  const repeatedFilters = await app.inject({ method: "GET", url: "/api/overview?list=a&list=b&status=open&status=held" });
  assert.equal(repeatedFilters.statusCode, 200, "repeated filters are ignored like any bad filter value");
});

test("digest links use the configured host and port, or web.publicUrl when set", async () => {
  for (const [web, expected] of [
    [{ port: 9091 }, "http://127.0.0.1:9091/"],
    [{ host: "10.1.2.3", port: 8181 }, "http://10.1.2.3:8181/"],
    [{ publicUrl: "https://pinwatch.example.org/" }, "https://pinwatch.example.org/"],
  ] as const) {
    const config = { ...w.lab.config, web: { ...w.lab.config.web, ...web } };
    const other = await buildApp({ store, config, rules: ALL_RULES, auth: new DashboardAuth("sesame", "test-secret") });
    try {
      const digest = (await other.inject({ method: "GET", url: "/api/digest?since=30d" })).json() as { text: string };
      assert.ok(digest.text.includes(`${expected}series/`), `${JSON.stringify(web)}: ${digest.text.match(/https?:\/\/\S+/)?.[0]}`);
      assert.doesNotMatch(digest.text, /127\.0\.0\.1:8080/);
    } finally {
      await other.close();
    }
  }
});
