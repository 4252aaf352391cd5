// Progress for long reads: a bar on a terminal (cli-progress), plain lines
// every few seconds otherwise, so logs and CI output stay readable.
import cliProgress from "cli-progress";
import type { IngestStats } from "../ingest/ingest.js";
import type { DeliveryStats } from "../outbox/deliver.js";
import type { PollResult } from "../poller/poll-list.js";
import { visible } from "../visible-text.js";

export interface Progress {
  total(n: number): void;
  update(stats: IngestStats): void;
  stop(): void;
}

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} messages, {reviewed} reviewed, {findings} findings, {eta_formatted} left`, stream, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      total: (n) => {
        if (!started) bar.start(n, 0, { reviewed: 0, findings: 0 });
        else bar.setTotal(n);
        started = true;
      },
      update: (s) => started && bar.update(s.read, { reviewed: s.reviewed, findings: s.findings }),
      stop: () => started && bar.stop(),
    };
  }
  // Not every source knows its total up front (a mailbox does not): then the lines count what was read so far.
  let total: number | undefined;
  let last = 0;
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  return {
    total: (n) => {
      total = n;
      stream.write(`${label}: ${count(n, "message")} to read\n`);
    },
    update: (s) => {
      const now = Date.now();
      if (now - last < 5000) return;
      last = now;
      const read = total !== undefined && total >= s.read ? `${s.read} of ${count(total, "message")} read` : `${count(s.read, "message")} read so far`;
      stream.write(`${label}: ${read}, ${count(s.reviewed, "patch", "patches")} reviewed, ${count(s.findings, "finding")}\n`);
    },
    stop: () => undefined,
  };
}

export function summary(result: PollResult, outboxDir: string): string {
  const s = result.stats;
  return (
    `${result.list}: ${s.read} read, ${s.stored} new, ${s.alreadyKnown} already known, ${s.deletions} deleted; ` +
    `${s.reviewed} reviewed (${s.held} held for their series), ${s.findings} findings; ` +
    `${deliverySummary(result.delivery, outboxDir)}; ${s.errors} errors`
  );
}

/** The summary line of a list whose poll failed: what failed, and that the next poll tries again. */
export function failedSummary(list: string, err: unknown): string {
  const code = (err as { code?: string })?.code ?? "error";
  const message = err instanceof Error ? err.message : String(err);
  // Error messages can carry what a server or a file said: control bytes are shown, never written.
  return visible(`${list}: poll FAILED (${code}) ${message.replace(/\s+/g, " ")}; what was stored before stays, the next poll tries again`);
}

export function deliverySummary(d: DeliveryStats, outboxDir: string): string {
  const parts = [`${d.written} replies written to ${outboxDir} (dry run)`];
  if (d.sent) parts.push(`${d.sent} sent`);
  if (d.retrying) parts.push(`${d.retrying} to retry`);
  if (d.failed) parts.push(`${d.failed} failed`);
  if (d.rateLimited) parts.push(`${d.rateLimited} rate-limited`);
  if (d.confirmedInArchive) parts.push(`${d.confirmedInArchive} confirmed by the archive`);
  if (d.waitingForArchive) parts.push(`${d.waitingForArchive} in doubt, waiting for an archive to answer`);
  if (d.paused) parts.push(`sending paused: ${visible(d.paused)}`);
  return parts.join(", ");
}
