// The Prometheus metrics behind /metrics (prom-client): what this process
// did (messages read, reviews, findings by rule, replies delivered, poll
// and review durations, errors by code), and what the store holds when
// scraped (replies by state, each list's time since its last good poll,
// whether sending is paused). The poller and the outbox report plain
// results here; nothing else touches prom-client.
import { createRequire } from "node:module";
import type * as PromClient from "prom-client";
import type { IngestStats } from "../ingest/ingest.js";
import type { DeliveryStats } from "../outbox/deliver.js";
import type { Store } from "../store/store.js";

// Loaded when metrics are first made, not with this module: a one-shot
// command (poll --once, backfill) serves no /metrics, and prom-client with
// its default collectors took a tenth of its start-up.
const require = createRequire(import.meta.url);

export class PinwatchMetrics {
  readonly registry: PromClient.Registry;
  private readonly messagesRead;
  private readonly messagesStored;
  private readonly reviews;
  private readonly findings;
  private readonly delivered;
  private readonly pollDuration;
  private readonly reviewDuration;
  private readonly errors;

  /** `store`: read at each scrape for the state gauges; without it only this process's counters are shown. */
  constructor(store?: Store, now: () => Date = () => new Date()) {
    const { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } = require("prom-client") as typeof PromClient;
    this.registry = new Registry();
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.messagesRead = new Counter({ name: "pinwatch_messages_read_total", help: "Messages read from the lists' sources", labelNames: ["list"], registers });
    this.messagesStored = new Counter({ name: "pinwatch_messages_stored_total", help: "Messages read that the store did not have", labelNames: ["list"], registers });
    this.reviews = new Counter({ name: "pinwatch_reviews_total", help: "Patches reviewed", labelNames: ["list"], registers });
    this.findings = new Counter({ name: "pinwatch_findings_total", help: "Findings stored, by rule", labelNames: ["rule"], registers });
    this.delivered = new Counter({ name: "pinwatch_replies_delivered_total", help: "Replies delivered: maildir (dry run), smtp, or archive (an in-doubt send found in a list's archive)", labelNames: ["via"], registers });
    this.pollDuration = new Histogram({
      name: "pinwatch_poll_duration_seconds", help: "One poll of one list: fetch, ingest and delivery", labelNames: ["list", "outcome"], registers,
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
    });
    this.reviewDuration = new Histogram({
      name: "pinwatch_review_duration_seconds", help: "The review of one posting (a patch, or a series together)", registers,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    this.errors = new Counter({ name: "pinwatch_errors_total", help: "Errors met, by PW_E_* code", labelNames: ["code"], registers });
    if (!store) return;
    new Gauge({
      name: "pinwatch_replies", help: "Replies in the outbox, by state", labelNames: ["state"], registers,
      async collect() {
        const states = await store.outboxStates();
        this.reset();
        for (const state of ["pending", "sending", "sent", "failed", "held", "rejected"] as const) this.set({ state }, states[state] ?? 0);
      },
    });
    new Gauge({
      name: "pinwatch_poll_lag_seconds", help: "Seconds since each list's last successful poll", labelNames: ["list"], registers,
      async collect() {
        this.reset();
        for (const s of await store.fetchStates()) if (s.lastSuccessAt) this.set({ list: s.list }, Math.max(0, (now().getTime() - Date.parse(s.lastSuccessAt)) / 1000));
      },
    });
    new Gauge({
      name: "pinwatch_sending_paused", help: "1 while sending is paused because the mail server refuses pinwatch itself", registers,
      async collect() {
        this.set((await store.sendingPause()) ? 1 : 0);
      },
    });
  }

  pollFinished(list: string, seconds: number, stats: IngestStats, delivery: DeliveryStats): void {
    this.pollDuration.observe({ list, outcome: "ok" }, seconds);
    this.messagesRead.inc({ list }, stats.read);
    this.messagesStored.inc({ list }, stats.stored);
    this.reviews.inc({ list }, stats.reviewed);
    for (const [rule, n] of Object.entries(stats.findingsByRule)) this.findings.inc({ rule }, n);
    for (const [code, n] of Object.entries(stats.errorsByCode)) this.errors.inc({ code }, n);
    this.deliveryFinished(delivery);
  }

  pollFailed(list: string, seconds: number, code: string): void {
    this.pollDuration.observe({ list, outcome: "failed" }, seconds);
    this.error(code);
  }

  deliveryFinished(d: DeliveryStats): void {
    this.delivered.inc({ via: "maildir" }, d.written);
    this.delivered.inc({ via: "smtp" }, d.sent);
    this.delivered.inc({ via: "archive" }, d.confirmedInArchive);
    for (const [code, n] of Object.entries(d.errorsByCode)) this.errors.inc({ code }, n);
  }

  reviewed(seconds: number): void {
    this.reviewDuration.observe(seconds);
  }

  error(code: string): void {
    this.errors.inc({ code });
  }

  /** The text exposition format, and its content type. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
