// The dashboard as a fastify app, built without listening (tests inject
// requests). Pages are server-rendered HTML that work without JavaScript;
// every page's data is also JSON under /api. Changing anything (approve,
// reject) needs a moderator's session and the form's CSRF token, and a
// cross-site Origin is refused.
import fastifyCookie from "@fastify/cookie";
import fastifyFormbody from "@fastify/formbody";
import fastifyRateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { PinwatchError } from "../errors.js";
import { isStorageError } from "../store/storage-guard.js";
import type { Logger } from "../log.js";
import { digestFor, parseSince } from "../digest/digest-run.js";
import { DashboardAuth } from "./auth.js";
import { healthReport } from "../ops/health.js";
import { PinwatchMetrics } from "../ops/metrics.js";
import { dashboardUrl } from "./dashboard-url.js";
import { cleanFilters, filteredFindings, overviewData, ruleData, seriesData, type DashboardDeps } from "./dashboard-data.js";
import { html } from "./html.js";
import { layout } from "./views/layout.js";
import { loginPage, outboxPage, overviewPage, rulePage, rulesIndexPage, seriesPage } from "./views/pages.js";

export interface WebOptions extends DashboardDeps {
  log?: Logger;
  auth: DashboardAuth;
  /** This process's metrics (the daemon's, fed by its polls); a dashboard alone shows the store's gauges. */
  metrics?: PinwatchMetrics;
}

const COOKIE = "pinwatch_session";

/** An error fastify answers with its status and message (the error handler keeps 4xx as they are). */
function badRequest(message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode: 400 });
}

export async function buildApp(options: WebOptions) {
  // Requests are not logged; failures are, through pinwatch's own logger.
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (isStorageError(err)) {
      options.log?.error({ url: req.url, code: err.code }, `dashboard request failed: ${err.message}`);
      return reply.code(503).type("text/plain; charset=utf-8").send(`the database is unavailable (${err.code}); see pinwatch's log\n`);
    }
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) options.log?.error({ url: req.url, err }, `dashboard request failed: ${err.message}`);
    return reply.code(status).type("text/plain; charset=utf-8").send(status === 500 ? "internal error (logged)\n" : `${err.message}\n`);
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  // Only the login is limited: guessing the token is what it stops.
  await app.register(fastifyRateLimit, { global: false });
  const { auth } = options;
  const secure = dashboardUrl(options.config.web).startsWith("https:");
  const loginLimit = { max: options.config.web.loginAttemptsPerMinute, timeWindow: 60_000 };

  const session = (req: FastifyRequest) => auth.session(req.cookies[COOKIE]);
  const page = (req: FastifyRequest, reply: FastifyReply, title: string, body: ReturnType<typeof html>) => {
    const s = session(req);
    reply.type("text/html; charset=utf-8").header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'");
    return layout(title, body, { loggedIn: !!s, loginEnabled: auth.enabled, csrf: s ? auth.csrfToken(s) : undefined });
  };
  const notFound = (reply: FastifyReply, what: string) => reply.code(404).type("text/plain; charset=utf-8").send(`not found: ${what}\n`);
  /** A browser's Origin that is not this site (or not a URL at all). */
  const crossSite = (req: FastifyRequest): boolean => {
    const origin = req.headers.origin;
    if (!origin || origin === "null") return false;
    try {
      return new URL(origin).host !== req.headers.host;
    } catch {
      return true;
    }
  };
  const askLogin = (reply: FastifyReply, why: string) =>
    auth.enabled
      ? reply.code(401).type("text/html; charset=utf-8").send(layout("Log in", loginPage(why), { loginEnabled: true }))
      : reply.code(403).type("text/html; charset=utf-8").send(layout("Outbox", html`<p>The outbox is for logged-in moderators, and moderation is off: no login token is configured (web.tokenEnv).</p>`, { loginEnabled: false }));
  /** A state change must come from our own pages: same-origin (when the browser says) and the session's CSRF token. */
  const guard = (req: FastifyRequest, reply: FastifyReply): string | undefined => {
    if (crossSite(req)) {
      reply.code(403).send("cross-site request refused\n");
      return undefined;
    }
    const s = session(req);
    if (!s) {
      askLogin(reply, "Log in first.");
      return undefined;
    }
    if (!auth.checkCsrf(s, (req.body as Record<string, unknown> | undefined)?.csrf)) {
      reply.code(403).send("missing or wrong CSRF token: reload the page and try again\n");
      return undefined;
    }
    return s;
  };

  // Operations: for monitors and Prometheus; neither shows anything from mail.
  const metrics = options.metrics ?? new PinwatchMetrics(options.store);
  app.get("/healthz", async (_req, reply) => {
    const report = await healthReport(options.store, options.config, (options.now ?? (() => new Date()))());
    return reply.code(report.status === "down" ? 503 : 200).header("cache-control", "no-store").send(report);
  });
  app.get("/metrics", async (_req, reply) => {
    const { contentType, text } = await metrics.exposition();
    return reply.type(contentType).header("cache-control", "no-store").send(text);
  });

  app.get("/", async (req, reply) => page(req, reply, "Overview", overviewPage(await overviewData(options, cleanFilters(req.query as Record<string, unknown>)))));
  app.get("/api/overview", async (req) => overviewData(options, cleanFilters(req.query as Record<string, unknown>)));
  app.get("/api/findings", async (req) => filteredFindings(options, cleanFilters(req.query as Record<string, unknown>)));

  app.get<{ Params: { id: string } }>("/series/:id", async (req, reply) => {
    const s = await seriesData(options, req.params.id);
    return s ? page(req, reply, s.title, seriesPage(s)) : notFound(reply, `series ${req.params.id}`);
  });
  app.get<{ Params: { id: string } }>("/api/series/:id", async (req, reply) => (await seriesData(options, req.params.id)) ?? notFound(reply, `series ${req.params.id}`));

  app.get("/rules", async (req, reply) => page(req, reply, "Rules", rulesIndexPage(options.rules.map((r) => r.meta))));
  app.get("/api/rules", async () => options.rules.map((r) => r.meta));
  app.get<{ Params: { id: string } }>("/rules/:id", async (req, reply) => {
    const r = await ruleData(options, req.params.id);
    return r ? page(req, reply, `Rule ${r.meta.id}`, rulePage(r.meta, r.hits)) : notFound(reply, `rule ${req.params.id}`);
  });
  app.get<{ Params: { id: string } }>("/api/rules/:id", async (req, reply) => (await ruleData(options, req.params.id)) ?? notFound(reply, `rule ${req.params.id}`));

  app.get("/outbox", async (req, reply) => {
    // Recipients and held reply texts are for moderators.
    const s = session(req);
    if (!s) return askLogin(reply, "Log in to see the outbox.");
    const entries = await options.store.outboxEntries({ limit: 500 });
    return page(req, reply, "Outbox", outboxPage(entries, auth.csrfToken(s)));
  });
  app.get("/api/outbox", async (req, reply) => {
    // Reply texts and recipients are for moderators.
    if (!session(req)) return reply.code(401).send({ error: "log in first" });
    return options.store.outboxEntries({ limit: 500 });
  });
  app.post<{ Params: { id: string; action: string } }>("/outbox/:id/:action", async (req, reply) => {
    if (!guard(req, reply)) return reply;
    const action = req.params.action;
    if (action !== "approve" && action !== "reject") return notFound(reply, action);
    if (!/^\d{1,12}$/.test(req.params.id)) return notFound(reply, `reply ${req.params.id}`);
    try {
      await options.store.decideOutbox(Number(req.params.id), action, "dashboard", new Date());
    } catch (err) {
      if (err instanceof PinwatchError && err.code === "PW_E_OUTBOX") return reply.code(409).type("text/plain; charset=utf-8").send(`${err.message}\n`);
      throw err;
    }
    return reply.redirect(`/outbox#o${Number(req.params.id)}`, 303);
  });

  app.get("/login", async (req, reply) => page(req, reply, "Log in", auth.enabled ? loginPage() : html`<p>Moderation is off: no login token is configured.</p>`));
  app.post("/login", { config: { rateLimit: loginLimit } }, async (req, reply) => {
    if (crossSite(req)) return reply.code(403).send("cross-site request refused\n");
    const cookie = auth.login((req.body as Record<string, unknown> | undefined)?.token);
    if (!cookie) return reply.code(401).type("text/html; charset=utf-8").send(layout("Log in", loginPage("Wrong token."), { loginEnabled: auth.enabled }));
    reply.setCookie(COOKIE, cookie, { path: "/", httpOnly: true, sameSite: "strict", secure });
    return reply.redirect("/outbox", 303);
  });
  app.post("/logout", async (req, reply) => {
    const s = guard(req, reply);
    if (!s) return reply;
    auth.logout(s);
    reply.clearCookie(COOKIE, { path: "/" });
    return reply.redirect("/", 303);
  });

  /** The digest for ?since= (12h, 1d, 2w or a date; default 7d), ?list= and ?maintainer=, up to now; a malformed parameter is a 400. */
  const digestOf = (req: FastifyRequest) => {
    const q = req.query as Record<string, unknown>;
    for (const name of ["since", "list", "maintainer"]) {
      if (q[name] !== undefined && typeof q[name] !== "string") throw badRequest(`give ${name} once`);
    }
    const now = new Date();
    const since = parseSince((q.since as string | undefined) ?? "7d", now);
    if (!since || since.getTime() < 0 || since.getTime() > now.getTime() + 86400000) throw badRequest("since: 12h, 1d, 2w or a date (YYYY-MM-DD) after 1970");
    const list = q.list as string | undefined;
    return digestFor(options.store, options.config, options.maintainers, { lists: list ? [list] : [], maintainer: q.maintainer as string | undefined }, since, now);
  };
  app.get("/digest", async (req, reply) => {
    const d = await digestOf(req);
    return page(req, reply, d.subject, d.html);
  });
  app.get("/api/digest", async (req) => {
    const d = await digestOf(req);
    return { subject: d.subject, text: d.text, findings: d.findings };
  });
  return app;
}
