// The dashboard in a real browser: Debian's headless Chromium driven by
// playwright-core (no browser download). Opens the overview, a series and
// a rule page, logs in and approves a held reply, checks the overview on a
// 390 px phone and that /outbox asks for a login, taking a screenshot of
// each page into test-artifacts/screenshots/. Skipped when no Chromium is
// installed (.ci/run installs it).
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { loadMaintainers } from "../../src/maintainers/load-maintainers.js";
import { subsystemLogger } from "../../src/log.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { startWeb, type RunningWeb } from "../../src/web/start-web.js";
import { ROOT } from "../helpers/fixtures.js";
import { MAINTAINERS_FIXTURE, webLab, type WebLab } from "../helpers/web-lab.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => existsSync(p));
const skip = !CHROMIUM && "no Chromium (apt-get install chromium; .ci/run does)";
const SHOTS = join(ROOT, "test-artifacts", "screenshots");

let w: WebLab;
let store: SqliteStore;
let web: RunningWeb;
let browser: Browser;

before(async () => {
  if (skip) return;
  w = await webLab();
  store = new SqliteStore(w.lab.config.poller.database);
  const config = { ...w.lab.config, web: { ...w.lab.config.web, port: 0 } };
  web = await startWeb(config, store, await loadMaintainers(MAINTAINERS_FIXTURE, "test"), subsystemLogger("web").child({ level: "silent" }), { PINWATCH_DASHBOARD_TOKEN: "open-sesame" });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await web?.close();
  await store?.close();
  w?.close();
});

test("overview, series, rule page, login and approving a held reply, in Chromium", { skip, timeout: 60_000 }, async () => {
  const page = await browser.newPage({ javaScriptEnabled: false, viewport: { width: 1100, height: 900 } });
  const dialogs: string[] = [];
  page.on("dialog", (d) => (dialogs.push(d.message()), void d.dismiss()));

  await page.goto(`${web.url}/`);
  assert.equal(await page.locator("h1").textContent(), "Overview");
  assert.equal(await page.locator("svg[aria-label='findings per week by category'] rect").count() > 0, true);
  await page.screenshot({ path: join(SHOTS, "overview.png"), fullPage: true });

  await page.getByRole("link", { name: "RDMA/foo: register user memory regions" }).first().click();
  assert.match(page.url(), /\/series\//);
  assert.equal(await page.locator("h2").count(), 3, "v1, v2 and v3");
  await page.getByText("addressed in v3").first().waitFor();
  await page.screenshot({ path: join(SHOTS, "series.png"), fullPage: true });

  await page.goto(`${web.url}/series/hostile%40example.net`);
  assert.match((await page.locator("h1").textContent()) ?? "", /<script>alert\("subject"\)<\/script>/, "the hostile subject shows as text");
  await page.screenshot({ path: join(SHOTS, "series-hostile.png"), fullPage: true });

  await page.getByRole("link", { name: "release-mismatch" }).first().click();
  assert.equal(await page.locator("h1").textContent(), "Rule release-mismatch");
  await page.getByText("Recent hits").waitFor();
  await page.screenshot({ path: join(SHOTS, "rule.png"), fullPage: true });

  await page.goto(`${web.url}/login`);
  await page.getByLabel("Token").fill("open-sesame");
  await page.getByRole("button", { name: "Log in" }).click();
  assert.match(page.url(), /\/outbox$/);
  await page.screenshot({ path: join(SHOTS, "outbox-held.png"), fullPage: true });
  const held = (await store.outboxEntries({ state: "held" })).length;
  assert.ok(held >= 1);
  await page.getByRole("button", { name: "Approve" }).first().click();
  assert.equal((await store.outboxEntries({ state: "held" })).length, held - 1, "one reply approved");
  assert.equal((await store.outboxEntries({ state: "pending" })).length, 1);
  await page.screenshot({ path: join(SHOTS, "outbox-approved.png"), fullPage: true });
  assert.deepEqual(dialogs, [], "no script ran: nothing from mail became markup");
});

test("on a 390 px phone the overview fits the screen; /outbox asks for a login first", { skip, timeout: 60_000 }, async () => {
  const page = await browser.newPage({ javaScriptEnabled: false, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
  await page.goto(`${web.url}/`);
  assert.equal(await page.locator("h1").textContent(), "Overview");
  // (A string: the tests are compiled without the DOM's types.)
  const width = (await page.evaluate("({ page: document.documentElement.scrollWidth, body: document.body.scrollWidth, screen: window.innerWidth })")) as { page: number; body: number; screen: number };
  assert.ok(width.page <= 390 && width.body <= 390, `the page is ${width.page} px wide on a ${width.screen} px screen`);
  const chart = await page.locator("svg[aria-label='findings per week by category']").boundingBox();
  assert.ok(chart && chart.x >= 0 && chart.x + chart.width <= 390, `the chart spans ${chart?.x}..${(chart?.x ?? 0) + (chart?.width ?? 0)}`);
  await page.screenshot({ path: join(SHOTS, "overview-390.png"), fullPage: true });

  const context = await browser.newContext({ javaScriptEnabled: false });
  const fresh = await context.newPage();
  const response = await fresh.goto(`${web.url}/outbox`);
  assert.equal(response?.status(), 401);
  assert.equal(await fresh.locator("h1").textContent(), "Log in");
  await fresh.getByLabel("Token").waitFor();
  assert.equal(await fresh.getByText("pinwatch@bot.example").count(), 0, "nothing of the outbox shows");
  await fresh.screenshot({ path: join(SHOTS, "outbox-login.png"), fullPage: true });
  await context.close();
});
