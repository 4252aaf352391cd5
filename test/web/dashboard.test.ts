// The dashboard through fastify's inject (no socket): pages render what the
// store holds, escape everything that came from mail, filter, speak JSON,
// and only a logged-in moderator with the page's CSRF token may approve or
// reject a held reply.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadMaintainers } from "../../src/maintainers/load-maintainers.js";
import { ALL_RULES } from "../../src/rules/index.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { buildApp } from "../../src/web/app.js";
import { DashboardAuth } from "../../src/web/auth.js";
import { HOSTILE_SUBJECT, MAINTAINERS_FIXTURE, webLab, type WebLab } from "../helpers/web-lab.js";

let w: WebLab;
let store: SqliteStore;
let app: Awaited<ReturnType<typeof buildApp>>;

before(async () => {
  w = await webLab();
  store = new SqliteStore(w.lab.config.poller.database);
  const maintainers = await loadMaintainers(MAINTAINERS_FIXTURE, "test");
  app = await buildApp({ store, config: w.lab.config, rules: ALL_RULES, maintainers, auth: new DashboardAuth("sesame", "test-secret") });
});
after(async () => {
  await app?.close();
  await store?.close();
  w?.close();
});

const get = async (url: string, cookie?: string) => app.inject({ method: "GET", url, headers: cookie ? { cookie } : {} });

test("the overview shows findings per list and category, a chart, series and poller health", async () => {
  const res = await get("/");
  assert.equal(res.statusCode, 200);
  assert.match(res.headers["content-type"] as string, /text\/html/);
  assert.match(res.body, /<svg[^>]*aria-label="findings per week by category"/);
  assert.match(res.body, /release-mismatch/);
  assert.match(res.body, /RDMA\/foo: register user memory regions/);
  assert.match(res.body, /<td>linux-rdma<\/td><td>mailbox<\/td>/, "the poller's health row");
  assert.doesNotMatch(res.body, /<script/i, "no script anywhere");
});

test("everything from mail is escaped: subjects, names, quoted code", async () => {
  // The outbox is for moderators: it is looked at logged in, with every held reply's text.
  const { cookie } = await login();
  for (const url of ["/", "/rules/release-mismatch", "/series/hostile%40example.net", "/outbox", "/digest?since=30d"]) {
    const res = await get(url, url === "/outbox" ? cookie : undefined);
    assert.equal(res.statusCode, 200, url);
    assert.doesNotMatch(res.body, /<script|<img src=x/i, `${url} has no live markup from mail`);
  }
  const series = await get("/series/hostile%40example.net");
  assert.ok(series.body.includes("&lt;script&gt;alert(&quot;subject&quot;)&lt;/script&gt;"), "the subject is shown, as text");
  assert.ok(series.body.includes("&lt;/pre&gt;&lt;script&gt;alert(&#39;code&#39;)&lt;/script&gt;"), "the quoted code is shown, as text");
  const api = await get("/api/series/hostile%40example.net");
  assert.equal(api.json().title, HOSTILE_SUBJECT, "JSON carries the data as it is");
  assert.equal(series.headers["content-security-policy"]?.toString().includes("default-src 'none'"), true);
});

test("a series page has every version, each finding with its hunk, status and lore links", async () => {
  const res = await get("/series/mr-v2%40example.net");
  assert.equal(res.statusCode, 200);
  for (const v of ["v1", "v2", "v3"]) assert.match(res.body, new RegExp(`<h2>${v} `));
  assert.match(res.body, /addressed in v3/);
  assert.match(res.body, /still present since v1/);
  assert.match(res.body, /<pre>&gt; diff|<pre>&gt; @@|<pre>&gt; \+/);
  assert.match(res.body, /href="https:\/\/lore\.kernel\.org\/r\/mr-v1%40example\.net"/);
  assert.match(res.body, /reviewed: no findings/, "v3 is clean");
  assert.match(res.body, /maintainers: Leon Maintainer &lt;leon@example\.com&gt;/, "routed through MAINTAINERS");
  assert.equal((await get("/series/nothing%40example.net")).statusCode, 404);
});

test("rule pages say what the rule checks, its case and link, and its recent hits", async () => {
  const res = await get("/rules/release-mismatch");
  assert.match(res.body, /pin_user_pages\.rst: basics/);
  assert.match(res.body, /href="https:\/\/docs\.kernel\.org\/core-api\/pin_user_pages\.html/);
  assert.match(res.body, /Recent hits/);
  assert.match(res.body, /foo_mr\.c/);
  assert.equal((await get("/rules/no-such-rule")).statusCode, 404);
  assert.equal((await get("/rules")).statusCode, 200);
});

test("filters: list, category, status, author, maintainer, dates; the JSON API says the same", async () => {
  const all = (await get("/api/overview")).json();
  assert.equal(all.total, 3, "the hostile patch, v1 and v2; v3 is clean");
  assert.equal((await get("/api/overview?status=addressed")).json().total, 2);
  assert.equal((await get("/api/overview?author=mallory")).json().total, 1);
  assert.equal((await get("/api/overview?category=release-mismatch&list=linux-rdma")).json().total, 3);
  assert.equal((await get("/api/overview?list=linux-mm")).json().total, 0);
  assert.equal((await get("/api/overview?maintainer=leon@example.com")).json().total, 2, "the driver's maintainer: foo_mr.c");
  assert.ok(all.choices.maintainers.includes("jay@example.com"));
  assert.equal((await get("/api/overview?maintainer=jay@example.com")).json().total, 1);
  const future = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
  assert.equal((await get(`/api/overview?since=${future}`)).json().total, 0);
  assert.equal((await get("/api/overview?status=bogus&since=notadate")).json().total, 3, "bad filter values are ignored, not errors");
  const findings = (await get("/api/findings?status=addressed")).json();
  assert.deepEqual(findings.map((f: { messageId: string }) => f.messageId).sort(), ["mr-v1@example.net", "mr-v2@example.net"]);
  const page = await get("/?status=addressed");
  assert.match(page.body, /<option selected>addressed<\/option>/);
});

async function login(): Promise<{ cookie: string; csrf: string }> {
  const res = await app.inject({ method: "POST", url: "/login", payload: "token=sesame", headers: { "content-type": "application/x-www-form-urlencoded" } });
  assert.equal(res.statusCode, 303);
  const setCookie = String(res.headers["set-cookie"]);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  const cookie = setCookie.split(";")[0]!;
  const outbox = await get("/outbox", cookie);
  const csrf = /name="csrf" value="([^"]+)"/.exec(outbox.body)?.[1];
  assert.ok(csrf, "forms carry a CSRF token");
  return { cookie, csrf };
}

test("moderation: login by token; approve needs the session and its CSRF token; cross-site posts are refused", async () => {
  const wrong = await app.inject({ method: "POST", url: "/login", payload: "token=guess", headers: { "content-type": "application/x-www-form-urlencoded" } });
  assert.equal(wrong.statusCode, 401);
  assert.equal((await get("/api/outbox")).statusCode, 401, "reply texts are for moderators");
  const held = (await store.outboxEntries({ state: "held" }))[0]!;
  const form = { "content-type": "application/x-www-form-urlencoded" };
  const anonymous = await app.inject({ method: "POST", url: `/outbox/${held.id}/approve`, payload: "csrf=x", headers: form });
  assert.equal(anonymous.statusCode, 401);
  const { cookie, csrf } = await login();
  const noToken = await app.inject({ method: "POST", url: `/outbox/${held.id}/approve`, payload: "", headers: { ...form, cookie } });
  assert.equal(noToken.statusCode, 403);
  const crossSite = await app.inject({ method: "POST", url: `/outbox/${held.id}/approve`, payload: `csrf=${csrf}`, headers: { ...form, cookie, origin: "https://evil.example" } });
  assert.equal(crossSite.statusCode, 403);
  assert.equal((await store.outboxEntry(held.id))!.state, "held", "nothing changed so far");
  const ok = await app.inject({ method: "POST", url: `/outbox/${held.id}/approve`, payload: `csrf=${encodeURIComponent(csrf)}`, headers: { ...form, cookie } });
  assert.equal(ok.statusCode, 303);
  assert.equal((await store.outboxEntry(held.id))!.state, "pending");
  const again = await app.inject({ method: "POST", url: `/outbox/${held.id}/approve`, payload: `csrf=${encodeURIComponent(csrf)}`, headers: { ...form, cookie } });
  assert.equal(again.statusCode, 409, "approving twice is refused with the reason");
  assert.equal((await get("/api/outbox", cookie)).statusCode, 200);
  const forged = cookie.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
  assert.equal((await get("/api/outbox", forged)).statusCode, 401, "a tampered cookie is no session");
});
