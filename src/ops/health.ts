// What /healthz reports: whether the database answers, each followed list's
// lag (time since its last successful poll) and failures, and the outbox
// backlog. "down" (HTTP 503) when the database cannot be read; "degraded"
// when a list is failing or stale, sending is paused or replies failed;
// otherwise "ok".
import type { Config } from "../config/schema.js";
import { describeError } from "../errors.js";
import type { Store } from "../store/store.js";

export interface ListHealth {
  list: string;
  source: string;
  /** ISO time of the last successful poll; absent before the first. */
  lastSuccessAt?: string;
  /** Seconds since then. */
  lagSeconds?: number;
  consecutiveFailures: number;
  lastError?: string;
  /** No successful poll for longer than poller.maxLagMinutes. */
  stale: boolean;
}

export interface HealthReport {
  status: "ok" | "degraded" | "down";
  /** Why the status is not ok. */
  problems: string[];
  database: { ok: boolean; error?: string };
  lists: ListHealth[];
  outbox?: { backlog: number; pending: number; sending: number; held: number; failed: number; paused?: { code: string; reason: string; since: string; retryAt: string } };
}

export async function healthReport(store: Store, config: Pick<Config, "lists" | "poller">, now: Date): Promise<HealthReport> {
  try {
    await store.ping();
  } catch (err) {
    return { status: "down", problems: ["the database cannot be read"], database: { ok: false, error: describeError(err) }, lists: [] };
  }
  const [fetches, states, pause] = await Promise.all([store.fetchStates(), store.outboxStates(), store.sendingPause()]);
  const problems: string[] = [];
  const maxLagSeconds = config.poller.maxLagMinutes * 60;
  const lists = config.lists
    .filter((l) => l.enabled)
    .map((l): ListHealth => {
      const f = fetches.find((s) => s.list === l.name && s.type === l.source.type);
      const lagSeconds = f?.lastSuccessAt ? Math.max(0, Math.round((now.getTime() - Date.parse(f.lastSuccessAt)) / 1000)) : undefined;
      const stale = lagSeconds !== undefined ? lagSeconds > maxLagSeconds : (f?.consecutiveFailures ?? 0) > 0;
      if (f?.consecutiveFailures) problems.push(`${l.name}: the last ${f.consecutiveFailures} polls failed`);
      else if (stale) problems.push(`${l.name}: no successful poll for ${Math.round((lagSeconds ?? 0) / 60)} minutes`);
      return { list: l.name, source: l.source.type, lastSuccessAt: f?.lastSuccessAt, lagSeconds, consecutiveFailures: f?.consecutiveFailures ?? 0, lastError: f?.lastError, stale };
    });
  const outbox = {
    backlog: (states.pending ?? 0) + (states.sending ?? 0) + (states.held ?? 0),
    pending: states.pending ?? 0,
    sending: states.sending ?? 0,
    held: states.held ?? 0,
    failed: states.failed ?? 0,
    paused: pause ? { code: pause.code, reason: pause.reason, since: pause.since, retryAt: pause.retryAt } : undefined,
  };
  if (pause) problems.push(`sending is paused: ${pause.code}`);
  if (outbox.failed > 0) problems.push(`${outbox.failed} replies failed`);
  return { status: problems.length ? "degraded" : "ok", problems, database: { ok: true }, lists, outbox };
}
