// The outbox half of the SQLite store. Claims are single UPDATEs under
// SQLite's write lock, so of several pinwatch processes sharing one
// database exactly one gets each reply; a claim that is never recorded (the
// process died mid-send) is recovered as "in doubt" and resolved by looking
// for the reply's own Message-ID among the messages the poller has seen.
import type Database from "better-sqlite3";
import { PinwatchError } from "../errors.js";
import type { DeliveryOutcome, OutboxDecision, OutboxEntry, OutboxFilter, OutboxState, SendingPause } from "./store.js";

type Row = Record<string, unknown>;

const SEEN = "EXISTS (SELECT 1 FROM messages m WHERE m.message_id = outbox.reply_message_id)";

function entry(r: Row): OutboxEntry {
  const opt = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
  return {
    id: r.outbox_id as number,
    replyMessageId: r.reply_message_id as string,
    idempotencyKey: r.idempotency_key as string,
    inReplyTo: (r.in_reply_to as string | null) ?? "",
    list: r.list as string,
    subject: r.subject as string,
    recipients: JSON.parse((r.recipients as string) || "[]") as string[],
    raw: r.raw as string,
    mode: r.mode as OutboxEntry["mode"],
    state: r.state as OutboxState,
    attempts: r.attempts as number,
    nextAttemptAt: opt(r.next_attempt_at),
    lastError: opt(r.last_error),
    createdAt: r.created_at as string,
    sentAt: opt(r.sent_at),
    deliveredVia: opt(r.delivered_via),
    decidedBy: opt(r.decided_by),
    inDoubt: r.in_doubt === 1,
  };
}

/** Which decisions apply in which states, and where they lead. */
const DECISIONS: Record<OutboxDecision, { from: OutboxState[]; to: OutboxState }> = {
  approve: { from: ["held"], to: "pending" },
  reject: { from: ["held", "pending", "failed"], to: "rejected" },
  retry: { from: ["failed"], to: "pending" },
};

export class OutboxQueries {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      due: db.prepare(
        `SELECT outbox_id FROM outbox WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
           AND outbox_id NOT IN (SELECT value FROM json_each(?)) AND (? IS NULL OR mode IN (SELECT value FROM json_each(?)))
         ORDER BY created_at, outbox_id LIMIT ?`,
      ),
      confirmSeen: db.prepare(
        `UPDATE outbox SET state = 'sent', delivered_via = 'archive', sent_at = ?, claimed_by = NULL, last_error = NULL
         WHERE outbox_id = ? AND state IN ('pending', 'sending') AND ${SEEN}`,
      ),
      claim: db.prepare("UPDATE outbox SET state = 'sending', claimed_by = ?, claimed_at = ? WHERE outbox_id = ? AND state = 'pending'"),
      byId: db.prepare("SELECT * FROM outbox WHERE outbox_id = ?"),
      byMessageId: db.prepare("SELECT * FROM outbox WHERE reply_message_id = ?"),
      sent: db.prepare(
        `UPDATE outbox SET state = 'sent', delivered_via = @via, sent_at = @at, attempts = attempts + 1, claimed_by = NULL, last_error = NULL, in_doubt = 0
         WHERE outbox_id = @id AND state = 'sending' AND claimed_by = @owner`,
      ),
      retryLater: db.prepare(
        `UPDATE outbox SET state = 'pending', next_attempt_at = @next, attempts = attempts + @counts, last_error = COALESCE(@error, last_error), claimed_by = NULL
         WHERE outbox_id = @id AND state = 'sending' AND claimed_by = @owner`,
      ),
      failed: db.prepare(
        `UPDATE outbox SET state = 'failed', last_error = @error, attempts = attempts + 1, claimed_by = NULL, decided_at = @at
         WHERE outbox_id = @id AND state = 'sending' AND claimed_by = @owner`,
      ),
      stale: db.prepare("SELECT outbox_id, claimed_at FROM outbox WHERE state = 'sending' AND mode != 'dry-run' AND claimed_at < ?"),
      // Writing a maildir file twice makes one file (it is named by the reply's Message-ID): no need to wait.
      releaseDryRun: db.prepare("UPDATE outbox SET state = 'pending', claimed_by = NULL, next_attempt_at = NULL WHERE state = 'sending' AND mode = 'dry-run'"),
      requeueInDoubt: db.prepare(
        `UPDATE outbox SET state = 'pending', in_doubt = 1, claimed_by = NULL, next_attempt_at = ?,
           last_error = 'in doubt: the send was cut off before its outcome was recorded'
         WHERE outbox_id = ? AND state = 'sending'`,
      ),
      sentSince: db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE delivered_via = 'smtp' AND sent_at >= ?"),
      sentSinceToList: db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE delivered_via = 'smtp' AND sent_at >= ? AND list = ?"),
      retryFailed: db.prepare(
        `UPDATE outbox SET state = 'pending', decided_by = ?, decided_at = ?, attempts = 0, next_attempt_at = NULL WHERE state = 'failed'`,
      ),
      pause: db.prepare("SELECT * FROM outbox_pause WHERE pause_id = 1"),
      startPause: db.prepare(
        `INSERT INTO outbox_pause (pause_id, code, reason, since, retry_at, probes) VALUES (1, @code, @reason, @at, @retryAt, 1)
         ON CONFLICT(pause_id) DO UPDATE SET code = @code, reason = @reason, retry_at = @retryAt, probes = probes + 1`,
      ),
      endPause: db.prepare("DELETE FROM outbox_pause"),
      decide: db.prepare(
        `UPDATE outbox SET state = @to, decided_by = @by, decided_at = @at, attempts = CASE WHEN @to = 'pending' THEN 0 ELSE attempts END,
           next_attempt_at = NULL, mode = CASE WHEN @decision = 'approve' THEN 'live' ELSE mode END
         WHERE outbox_id = @id AND state = @from`,
      ),
    };
  }

  enqueue(mail: { replyMessageId: string; idempotencyKey: string; kind: string; list: string; subject: string; recipients: string[]; raw: string; mode?: string; inReplyTo?: string }, at: Date): boolean {
    const mode = mail.mode ?? "dry-run";
    return (
      this.db
        .prepare(
          `INSERT OR IGNORE INTO outbox (reply_message_id, idempotency_key, kind, in_reply_to, list, subject, recipients, raw, mode, state, created_at)
           VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(mail.replyMessageId, mail.idempotencyKey, mail.kind, mail.list, mail.subject, JSON.stringify(mail.recipients), mail.raw, mode, mode === "moderated" ? "held" : "pending", at.toISOString())
        .changes > 0
    );
  }

  claimDue(owner: string, now: Date, limit: number, excluding: readonly number[] = [], modes?: readonly OutboxEntry["mode"][]): OutboxEntry[] {
    const at = now.toISOString();
    const onlyModes = modes ? JSON.stringify(modes) : null;
    return this.db
      .transaction(() => {
        const claimed: OutboxEntry[] = [];
        for (const { outbox_id: id } of this.s.due.all(at, JSON.stringify(excluding), onlyModes, onlyModes, limit) as { outbox_id: number }[]) {
          // Delivered before, by a send whose outcome was never recorded: the list echoed it.
          if (this.s.confirmSeen.run(at, id).changes > 0) continue;
          if (this.s.claim.run(owner, at, id).changes > 0) claimed.push(entry(this.s.byId.get(id) as Row));
        }
        return claimed;
      })
      .immediate();
  }

  recordDelivery(id: number, owner: string, outcome: DeliveryOutcome): boolean {
    switch (outcome.state) {
      case "sent":
        return this.s.sent.run({ id, owner, via: outcome.via, at: outcome.at.toISOString() }).changes > 0;
      case "pending":
        return this.s.retryLater.run({ id, owner, next: outcome.nextAttemptAt.toISOString(), counts: outcome.countsAsAttempt ? 1 : 0, error: outcome.error ?? null }).changes > 0;
      case "failed":
        return this.s.failed.run({ id, owner, error: outcome.error, at: outcome.at.toISOString() }).changes > 0;
    }
  }

  recoverStaleClaims(now: Date, claimTimeoutMs: number, inDoubtWaitMs: number): { confirmed: number; requeued: number; released: number } {
    const at = now.toISOString();
    return this.db
      .transaction(() => {
        let confirmed = 0;
        let requeued = 0;
        const released = this.s.releaseDryRun.run().changes;
        const cutoff = new Date(now.getTime() - claimTimeoutMs).toISOString();
        for (const row of this.s.stale.all(cutoff) as Row[]) {
          const id = row.outbox_id as number;
          if (this.s.confirmSeen.run(at, id).changes > 0) {
            confirmed++;
            continue;
          }
          const next = new Date(Date.parse(row.claimed_at as string) + inDoubtWaitMs).toISOString();
          requeued += this.s.requeueInDoubt.run(next, id).changes;
        }
        return { confirmed, requeued, released };
      })
      .immediate();
  }

  sentCount(since: Date, list?: string): number {
    const row = (list ? this.s.sentSinceToList.get(since.toISOString(), list) : this.s.sentSince.get(since.toISOString())) as Row;
    return row.n as number;
  }

  entries(filter: OutboxFilter = {}): OutboxEntry[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.state) {
      where.push("state = ?");
      params.push(filter.state);
    }
    if (filter.list) {
      where.push("list = ?");
      params.push(filter.list);
    }
    const sql = `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY outbox_id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, filter.limit ?? 1000) as Row[]).map(entry);
  }

  entry(id: number | string): OutboxEntry | undefined {
    const row = (typeof id === "number" ? this.s.byId.get(id) : this.s.byMessageId.get(id.replace(/^<|>$/g, ""))) as Row | undefined;
    return row ? entry(row) : undefined;
  }

  retryFailed(by: string, at: Date): number {
    return this.s.retryFailed.run(by, at.toISOString()).changes;
  }

  sendingPause(): SendingPause | undefined {
    const r = this.s.pause.get() as Row | undefined;
    return r ? { code: r.code as string, reason: r.reason as string, since: r.since as string, retryAt: r.retry_at as string, probes: r.probes as number } : undefined;
  }

  pauseSending(p: { code: string; reason: string; at: Date; retryAt: Date }): SendingPause {
    this.s.startPause.run({ code: p.code, reason: p.reason, at: p.at.toISOString(), retryAt: p.retryAt.toISOString() });
    return this.sendingPause()!;
  }

  resumeSending(): boolean {
    return this.s.endPause.run().changes > 0;
  }

  decide(id: number, decision: OutboxDecision, by: string, at: Date): OutboxEntry {
    const current = this.entry(id);
    if (!current) throw new PinwatchError("PW_E_OUTBOX", `no reply numbered ${id} in the outbox`, { subject: `outbox ${id}` });
    const rule = DECISIONS[decision];
    if (!rule.from.includes(current.state)) {
      throw new PinwatchError("PW_E_OUTBOX", `cannot ${decision} a reply that is ${current.state} (only ${rule.from.join(" or ")})`, { subject: `outbox ${id}` });
    }
    const changed = this.s.decide.run({ id, to: rule.to, from: current.state, by, at: at.toISOString(), decision }).changes;
    if (changed === 0) throw new PinwatchError("PW_E_OUTBOX", `the reply changed state meanwhile; look again`, { subject: `outbox ${id}` });
    return this.entry(id)!;
  }
}
