// The embedded default Store: one SQLite file (better-sqlite3), WAL mode so
// the dashboard can read while the poller writes. Every batch is one
// transaction, so a crash (even kill -9) leaves either all of a batch and
// its cursor, or none of it. Every call goes through the StorageGuard: a
// database gone, read-only or on a full disk is a coded error naming it.
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PinwatchError } from "../errors.js";
import { abandonDatabase, isStorageError, StorageGuard, storageError } from "./storage-guard.js";
import { MIGRATIONS, RENUMBERED } from "./migrations.js";
import { OutboxQueries } from "./sqlite-outbox.js";
import { priorReview } from "./sqlite-lineage.js";
import { ViewQueries } from "./sqlite-views.js";
import { WalCheckpointer } from "./wal-checkpointer.js";
import type { DigestRecord, FindingFilter, FindingView, SeriesView, SourceHealth } from "./views.js";
import type { LineageKeys, PriorReview } from "../review/lineage.js";
import type { IngestBatch, OutboxReply, OutboxEntry, OutboxFilter, OutboxDecision, OutboxState, DeliveryOutcome, PendingPatch, ReviewRecord, SendingPause, Store, StoreCounts } from "./store.js";

type Row = Record<string, unknown>;

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly statements: ReturnType<SqliteStore["prepare"]>;
  private readonly outbox: OutboxQueries;
  private readonly views: ViewQueries;
  private readonly guard: StorageGuard;
  /** Runs the WAL checkpoints on a thread of their own (undefined for an in-memory database). */
  private readonly checkpointer?: WalCheckpointer;

  constructor(readonly path: string) {
    try {
      if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path);
      this.db.pragma("journal_mode = WAL");
      // NORMAL is safe against process crashes in WAL mode; an OS crash may
      // roll back the newest batches, cursor included, which only repeats work.
      this.db.pragma("synchronous = NORMAL");
      this.db.pragma("foreign_keys = ON");
      // Another pinwatch process (or the dashboard) may hold the write lock briefly.
      this.db.pragma("busy_timeout = 10000");
      this.guard = new StorageGuard(path);
      this.guard.write(() => this.migrate());
      if (path !== ":memory:") {
        this.checkpointer = new WalCheckpointer(path);
        this.db.pragma("wal_autocheckpoint = 0");
      }
    } catch (cause) {
      if (cause instanceof PinwatchError) throw cause;
      const coded = storageError(path, cause);
      if (isStorageError(coded)) {
        abandonDatabase();
        throw coded;
      }
      throw new PinwatchError("PW_E_STORE", `cannot open the database: ${(cause as Error).message}`, { subject: path, cause });
    }
    this.statements = this.prepare();
    this.outbox = new OutboxQueries(this.db);
    this.views = new ViewQueries(this.db);
  }

  /** A write through the guard; then, if the WAL has grown enough, a checkpoint on the checkpoint thread. */
  private write<T>(fn: () => T): T {
    const result = this.guard.write(fn);
    const checkpointer = this.checkpointer;
    if (checkpointer?.usable) {
      checkpointer.committed();
      // No thread for it: checkpoints go back into the commits, as SQLite does by default.
      if (!checkpointer.usable) this.db.pragma("wal_autocheckpoint = 1000");
    }
    return result;
  }

  private migrate(): void {
    this.db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
    const renumber = this.db.prepare(
      "UPDATE schema_migrations SET version = ? WHERE version = ? AND name = ? AND NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)",
    );
    for (const r of RENUMBERED) renumber.run(r.to, r.from, r.name, r.to);
    const applied = new Set((this.db.prepare("SELECT version FROM schema_migrations").all() as Row[]).map((r) => r.version as number));
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(m.version, m.name, new Date().toISOString());
      }).immediate();
    }
  }

  private prepare() {
    const db = this.db;
    return {
      cursor: db.prepare("SELECT cursor FROM sources WHERE source_id = ?"),
      known: db.prepare("SELECT 1 FROM messages WHERE message_id = ?"),
      ensureSource: db.prepare("INSERT OR IGNORE INTO sources (source_id, list, type) VALUES (?, ?, ?)"),
      setCursor: db.prepare("UPDATE sources SET cursor = ? WHERE source_id = ?"),
      // Positional parameters: this runs for every message read, and binding an object per row costs more than the insert.
      insertMessage: db.prepare(
        `INSERT OR IGNORE INTO messages (message_id, subject, from_address, date, kind, series_key, version, series_index, series_total, first_list, seen_at,
                                         title, in_reply_to, thread_root, change_id, patch_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertMessageList: db.prepare("INSERT OR IGNORE INTO message_lists (message_id, list, seen_at) VALUES (?, ?, ?)"),
      insertPending: db.prepare("INSERT OR IGNORE INTO pending_patches (message_id, series_key, list, raw, date) VALUES (?, ?, ?, ?, ?)"),
      deletePending: db.prepare("DELETE FROM pending_patches WHERE message_id = ?"),
      insertReview: db.prepare(
        `INSERT OR IGNORE INTO reviews (message_id, ruleset_version, reviewed_at, finding_count, error_code, error_message, version, predecessor, touched_files, no_reply_reason, gup_digest)
         VALUES (@messageId, @rulesetVersion, @reviewedAt, @count, @errorCode, @errorMessage, @version, @predecessor, @touchedFiles, @noReplyReason, @gupDigest)`,
      ),
      insertFinding: db.prepare(
        `INSERT INTO findings (review_id, message_id, rule, category, severity, file, line, function, fingerprint, message, mailable, status, first_version, first_message_id, excerpt)
         VALUES (@reviewId, @messageId, @rule, @category, @severity, @file, @line, @function, @fingerprint, @message, @mailable, @status, @firstVersion, @firstMessageId, @excerpt)`,
      ),
      predecessorFindings: db.prepare("SELECT finding_id, fingerprint, file, first_message_id FROM findings WHERE message_id = ? AND status != 'addressed'"),
      // The finding as reported on every earlier version it was carried through.
      markAddressed: db.prepare(
        `UPDATE findings SET status = 'addressed', addressed_in = @by
         WHERE status != 'addressed' AND (finding_id = @id OR (fingerprint = @fingerprint AND first_message_id = @first))`,
      ),
      insertReply: db.prepare(
        `INSERT OR IGNORE INTO outbox (reply_message_id, idempotency_key, in_reply_to, list, subject, recipients, raw, mode, state, created_at)
         VALUES (@replyMessageId, @idempotencyKey, @inReplyTo, @list, @subject, @recipients, @raw, @mode, @state, @at)`,
      ),
      markDeleted: db.prepare("UPDATE messages SET deleted_at = ? WHERE message_id = ? AND deleted_at IS NULL"),
      withdrawRepliesTo: db.prepare(
        "UPDATE outbox SET state = 'rejected', last_error = 'the patch was deleted from the archive', decided_by = 'pinwatch', decided_at = ? WHERE in_reply_to = ? AND state IN ('pending', 'held')",
      ),
      insertError: db.prepare("INSERT INTO ingest_errors (list, position, message_id, code, message, at) VALUES (?, ?, ?, ?, ?, ?)"),
      seriesIndexes: db.prepare("SELECT DISTINCT series_index AS i, series_total AS t FROM messages WHERE series_key = ? AND series_index IS NOT NULL"),
      pendingBySeries: db.prepare("SELECT * FROM pending_patches WHERE series_key = ? ORDER BY message_id"),
      pendingByList: db.prepare("SELECT * FROM pending_patches WHERE list = ? ORDER BY series_key, message_id"),
      recordFetchOk: db.prepare(
        `INSERT INTO sources (source_id, list, type, last_fetch_at, last_success_at, last_error, consecutive_failures) VALUES (@id, @list, @type, @at, @at, NULL, 0)
         ON CONFLICT(source_id) DO UPDATE SET last_fetch_at = @at, last_success_at = @at, last_error = NULL, consecutive_failures = 0, type = @type`,
      ),
      recordFetchFailed: db.prepare(
        `INSERT INTO sources (source_id, list, type, last_fetch_at, last_error, consecutive_failures) VALUES (@id, @list, @type, @at, @error, 1)
         ON CONFLICT(source_id) DO UPDATE SET last_fetch_at = @at, last_error = @error, consecutive_failures = consecutive_failures + 1, type = @type`,
      ),
    };
  }

  async cursor(sourceId: string): Promise<string | undefined> {
    return this.guard.read(() => {
      const row = this.statements.cursor.get(sourceId) as Row | undefined;
      return (row?.cursor as string | null) ?? undefined;
    });
  }

  async knownMessageIds(ids: readonly string[]): Promise<Set<string>> {
    return this.guard.read(() => {
      // The ingest loop asks about one message at a time: keep that statement prepared.
      if (ids.length === 1) return this.statements.known.get(ids[0]) ? new Set(ids) : new Set();
      return this.existing("SELECT message_id FROM messages WHERE message_id IN", ids);
    });
  }

  private existing(sqlPrefix: string, ids: readonly string[]): Set<string> {
    const found = new Set<string>();
    // SQLite limits bound parameters; ask in slices.
    for (let i = 0; i < ids.length; i += 500) {
      const slice = ids.slice(i, i + 500);
      const sql = `${sqlPrefix} (${slice.map(() => "?").join(",")})`;
      for (const row of this.db.prepare(sql).all(...slice) as Row[]) found.add(row.message_id as string);
    }
    return found;
  }

  async commit(batch: IngestBatch): Promise<{ newMessages: number }> {
    return this.write(() => {
      const s = this.statements;
      const at = new Date().toISOString();
      let newMessages = 0;
      this.db
        .transaction(() => {
          s.ensureSource.run(batch.sourceId, batch.list, batch.sourceType);
          for (const m of batch.seen) {
            newMessages += s.insertMessage.run(
              m.messageId, m.subject, m.fromAddress ?? null, m.date ?? null, m.kind, m.seriesKey ?? null, m.version, m.index ?? null, m.total ?? null, batch.list, at,
              m.title, m.inReplyTo ?? null, m.threadRoot ?? null, m.changeId ?? null, m.patchId ?? null,
            ).changes;
            s.insertMessageList.run(m.messageId, batch.list, at);
          }
          for (const p of batch.pending) s.insertPending.run(p.messageId, p.seriesKey ?? null, p.list, p.raw, p.date ?? null);
          for (const r of batch.reviews) {
            const result = s.insertReview.run({
              messageId: r.messageId, rulesetVersion: r.rulesetVersion, reviewedAt: r.reviewedAt, count: r.findings.length,
              errorCode: r.error?.code ?? null, errorMessage: r.error?.message ?? null, version: r.version ?? null, predecessor: r.predecessor ?? null,
              touchedFiles: r.touchedFiles ? JSON.stringify(r.touchedFiles) : null, noReplyReason: r.noReplyReason ?? null, gupDigest: r.gupDigest ?? null,
            });
            // A review already stored (the same message reached us twice, or from another list) adds nothing.
            if (result.changes === 0) continue;
            const reviewId = Number(result.lastInsertRowid);
            for (const f of r.findings) s.insertFinding.run({ ...f, reviewId, messageId: r.messageId, mailable: f.mailable ? 1 : 0, excerpt: f.excerpt ?? null });
            if (r.predecessor) this.markAddressed(r, r.predecessor);
            if (r.reply) {
              const mode = r.reply.mode ?? "dry-run";
              s.insertReply.run({ ...r.reply, recipients: JSON.stringify(r.reply.recipients), mode, state: mode === "moderated" ? "held" : "pending", at });
            }
          }
          for (const id of batch.resolvedPending) s.deletePending.run(id);
          for (const id of batch.deletions) {
            s.markDeleted.run(at, id);
            s.deletePending.run(id);
            s.withdrawRepliesTo.run(at, id);
          }
          for (const e of batch.errors) s.insertError.run(e.list, e.position, e.messageId ?? null, e.code, e.message, at);
          if (batch.cursor !== undefined) s.setCursor.run(batch.cursor, batch.sourceId);
        })
        .immediate();
      return { newMessages };
    });
  }

  async seriesIndexes(seriesKey: string): Promise<{ indexes: number[]; total: number }> {
    return this.guard.read(() => {
      const rows = this.statements.seriesIndexes.all(seriesKey) as Row[];
      return { indexes: rows.map((r) => r.i as number), total: Math.max(0, ...rows.map((r) => (r.t as number) ?? 0)) };
    });
  }

  async pendingPatches(filter: { seriesKey: string } | { list: string }): Promise<PendingPatch[]> {
    return this.guard.read(() => {
      const s = this.statements;
      const rows = ("seriesKey" in filter ? s.pendingBySeries.all(filter.seriesKey) : s.pendingByList.all(filter.list)) as Row[];
      return rows.map((r) => ({
        messageId: r.message_id as string,
        seriesKey: (r.series_key as string | null) ?? undefined,
        list: r.list as string,
        raw: r.raw as Buffer,
        date: (r.date as string | null) ?? undefined,
      }));
    });
  }

  async recordFetch(sourceId: string, list: string, type: string, outcome: { ok: boolean; error?: string; at: Date }): Promise<void> {
    return this.write(() => {
      const params = { id: sourceId, list, type, at: outcome.at.toISOString(), error: outcome.error ?? "unknown error" };
      if (outcome.ok) this.statements.recordFetchOk.run(params);
      else this.statements.recordFetchFailed.run(params);
    });
  }

  async priorReview(keys: LineageKeys): Promise<PriorReview | undefined> {
    return this.guard.read(() => {
      return priorReview(this.db, keys);
    });
  }

  async claimDue(owner: string, now: Date, limit: number, excluding?: readonly number[], modes?: readonly OutboxEntry["mode"][]): Promise<OutboxEntry[]> {
    return this.write(() => {
      return this.outbox.claimDue(owner, now, limit, excluding, modes);
    });
  }

  async recordDelivery(id: number, owner: string, outcome: DeliveryOutcome): Promise<boolean> {
    return this.write(() => {
      return this.outbox.recordDelivery(id, owner, outcome);
    });
  }

  async recoverStaleClaims(now: Date, claimTimeoutMs: number, inDoubtWaitMs: number): Promise<{ confirmed: number; requeued: number; released: number }> {
    return this.write(() => {
      return this.outbox.recoverStaleClaims(now, claimTimeoutMs, inDoubtWaitMs);
    });
  }

  async sentCount(since: Date, list?: string): Promise<number> {
    return this.guard.read(() => {
      return this.outbox.sentCount(since, list);
    });
  }

  async outboxEntries(filter?: OutboxFilter): Promise<OutboxEntry[]> {
    return this.guard.read(() => {
      return this.outbox.entries(filter);
    });
  }

  async outboxEntry(id: number | string): Promise<OutboxEntry | undefined> {
    return this.guard.read(() => {
      return this.outbox.entry(id);
    });
  }

  async decideOutbox(id: number, decision: OutboxDecision, by: string, at: Date): Promise<OutboxEntry> {
    return this.write(() => {
      return this.outbox.decide(id, decision, by, at);
    });
  }

  async retryFailed(by: string, at: Date): Promise<number> {
    return this.write(() => {
      return this.outbox.retryFailed(by, at);
    });
  }

  async sendingPause(): Promise<SendingPause | undefined> {
    return this.guard.read(() => {
      return this.outbox.sendingPause();
    });
  }

  async pauseSending(pause: { code: string; reason: string; at: Date; retryAt: Date }): Promise<SendingPause> {
    return this.write(() => {
      return this.outbox.pauseSending(pause);
    });
  }

  async resumeSending(): Promise<boolean> {
    return this.write(() => {
      return this.outbox.resumeSending();
    });
  }

  async enqueueMail(mail: OutboxReply & { kind: "digest" }, at: Date): Promise<boolean> {
    return this.write(() => {
      return this.outbox.enqueue(mail, at);
    });
  }

  async findings(filter?: FindingFilter): Promise<FindingView[]> {
    return this.guard.read(() => {
      return this.views.findings(filter);
    });
  }

  async sourceHealth(): Promise<SourceHealth[]> {
    return this.guard.read(() => {
      return this.views.sourceHealth();
    });
  }

  async series(messageId: string): Promise<SeriesView | undefined> {
    return this.guard.read(() => {
      return this.views.series(messageId);
    });
  }

  async lastDigest(recipient: string): Promise<DigestRecord | undefined> {
    return this.guard.read(() => {
      return this.views.lastDigest(recipient);
    });
  }

  async recordDigest(digest: DigestRecord, at: Date): Promise<void> {
    return this.write(() => {
      this.views.recordDigest(digest, at);
    });
  }

  async counts(): Promise<StoreCounts> {
    return this.guard.read(() => {
      const one = (sql: string) => (this.db.prepare(sql).get() as Row).n as number;
      return {
        messages: one("SELECT COUNT(*) AS n FROM messages"),
        reviews: one("SELECT COUNT(*) AS n FROM reviews"),
        findings: one("SELECT COUNT(*) AS n FROM findings"),
        pending: one("SELECT COUNT(*) AS n FROM pending_patches"),
        outbox: one("SELECT COUNT(*) AS n FROM outbox"),
        errors: one("SELECT COUNT(*) AS n FROM ingest_errors"),
      };
    });
  }

  async outboxStates(): Promise<Partial<Record<OutboxState, number>>> {
    return this.guard.read(() => {
      const rows = this.db.prepare("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state").all() as Row[];
      return Object.fromEntries(rows.map((r) => [r.state as OutboxState, r.n as number]));
    });
  }

  async fetchStates(): Promise<Awaited<ReturnType<Store["fetchStates"]>>> {
    return this.guard.read(() => {
      const rows = this.db.prepare("SELECT list, type, last_fetch_at, last_success_at, last_error, consecutive_failures FROM sources ORDER BY list").all() as Row[];
      const opt = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
      return rows.map((r) => ({
        list: r.list as string,
        type: r.type as string,
        lastFetchAt: opt(r.last_fetch_at),
        lastSuccessAt: opt(r.last_success_at),
        lastError: opt(r.last_error),
        consecutiveFailures: r.consecutive_failures as number,
      }));
    });
  }

  async ping(): Promise<void> {
    this.guard.check();
    this.guard.read(() => this.db.prepare("SELECT 1 FROM schema_migrations LIMIT 1").get());
  }

  /** The earlier version's findings that this version no longer has, in files it still touches, were addressed by it. */
  private markAddressed(review: ReviewRecord, predecessor: string): void {
    const still = new Set(review.findings.map((f) => f.fingerprint));
    const touched = new Set(review.touchedFiles ?? []);
    for (const row of this.statements.predecessorFindings.all(predecessor) as Row[]) {
      if (still.has(row.fingerprint as string) || !touched.has(row.file as string)) continue;
      this.statements.markAddressed.run({ by: review.messageId, id: row.finding_id, fingerprint: row.fingerprint, first: row.first_message_id ?? null });
    }
  }

  async close(): Promise<void> {
    // Closing checkpoints through the WAL index: on a file that failed under us that would write to it again (SIGBUS when immutable).
    // The checkpoint thread's connection is left open too; the process exits without closing either (databaseAbandoned).
    if (this.guard.failed) return;
    // The checkpoint thread's connection closes first, so this one's close is the last and checkpoints.
    await this.checkpointer?.close();
    try {
      if (this.db.open) this.db.close();
    } catch {
      // nothing is left to save; the error that matters was reported when it happened
    }
  }
}
