// The read side of the SQLite store for the dashboard, the JSON API and the
// digest. Every query is indexed: message dates, review times, series roots,
// predecessors, rules and outbox replies.
import type Database from "better-sqlite3";
import type { DigestRecord, DisplayStatus, FindingFilter, FindingView, SeriesPatchView, SeriesView, SourceHealth } from "./views.js";

type Row = Record<string, unknown>;
const opt = <T>(v: unknown) => (v === null || v === undefined ? undefined : (v as T));

const STATUS_SQL: Record<DisplayStatus, string> = {
  addressed: "f.status = 'addressed'",
  held: "f.status != 'addressed' AND o.state = 'held'",
  replied: "f.status != 'addressed' AND o.state = 'sent' AND o.delivered_via IN ('smtp', 'archive')",
  open: "f.status != 'addressed' AND NOT (COALESCE(o.state, '') = 'held' OR (COALESCE(o.state, '') = 'sent' AND o.delivered_via IN ('smtp', 'archive')))",
};

const FINDING_SELECT = `
  SELECT f.finding_id, f.message_id, f.rule, f.category, f.severity, f.file, f.line, f.function, f.message, f.excerpt,
         f.status AS lineage, COALESCE(f.first_version, m.version) AS first_version, f.addressed_in,
         COALESCE(fm.thread_root, fm.message_id, COALESCE(m.thread_root, m.message_id)) AS lineage_root,
         m.subject, COALESCE(m.title, m.subject) AS title, m.from_address, m.date, m.first_list, COALESCE(m.thread_root, m.message_id) AS series_root, m.version,
         r.reviewed_at, r.touched_files,
         a.version AS addressed_version, ar.reviewed_at AS addressed_at,
         o.outbox_id, o.reply_message_id, o.state AS reply_state, o.delivered_via
  FROM findings f
  JOIN messages m ON m.message_id = f.message_id
  JOIN reviews r ON r.review_id = f.review_id
  LEFT JOIN messages fm ON fm.message_id = f.first_message_id
  LEFT JOIN messages a ON a.message_id = f.addressed_in
  LEFT JOIN reviews ar ON ar.message_id = f.addressed_in
  LEFT JOIN outbox o ON o.in_reply_to = f.message_id AND o.kind = 'reply'`;

function where(filter: FindingFilter): { sql: string; params: Record<string, unknown> } {
  const clauses: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.list) {
    clauses.push("EXISTS (SELECT 1 FROM message_lists ml WHERE ml.message_id = f.message_id AND ml.list = @list)");
    params.list = filter.list;
  }
  if (filter.category) (clauses.push("f.category = @category"), (params.category = filter.category));
  if (filter.rule) (clauses.push("f.rule = @rule"), (params.rule = filter.rule));
  if (filter.author) (clauses.push("m.from_address LIKE @author ESCAPE '\\'"), (params.author = `%${filter.author.replace(/[\\%_]/g, "\\$&")}%`));
  if (filter.status) clauses.push(STATUS_SQL[filter.status]);
  if (filter.since) (clauses.push("COALESCE(m.date, r.reviewed_at) >= @since"), (params.since = filter.since));
  if (filter.until) (clauses.push("COALESCE(m.date, r.reviewed_at) < @until"), (params.until = filter.until));
  if (filter.reviewedSince) (clauses.push("r.reviewed_at >= @reviewedSince"), (params.reviewedSince = filter.reviewedSince));
  if (filter.addressedSince) (clauses.push("ar.reviewed_at >= @addressedSince"), (params.addressedSince = filter.addressedSince));
  if (filter.seriesRoots) {
    clauses.push("COALESCE(m.thread_root, m.message_id) IN (SELECT value FROM json_each(@roots))");
    params.roots = JSON.stringify(filter.seriesRoots);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

function displayStatus(r: Row): DisplayStatus {
  if (r.lineage === "addressed") return "addressed";
  if (r.reply_state === "held") return "held";
  if (r.reply_state === "sent" && (r.delivered_via === "smtp" || r.delivered_via === "archive")) return "replied";
  return "open";
}

function findingView(r: Row): FindingView {
  return {
    findingId: r.finding_id as number,
    messageId: r.message_id as string,
    subject: r.subject as string,
    title: r.title as string,
    author: opt(r.from_address),
    date: opt(r.date),
    list: r.first_list as string,
    seriesRoot: r.series_root as string,
    lineageRoot: r.lineage_root as string,
    version: r.version as number,
    rule: r.rule as string,
    category: r.category as string,
    severity: r.severity as string,
    file: r.file as string,
    line: r.line as number,
    function: opt(r.function),
    message: r.message as string,
    excerpt: opt(r.excerpt),
    lineage: r.lineage as string,
    firstVersion: r.first_version as number,
    status: displayStatus(r),
    addressedIn: opt(r.addressed_in),
    addressedVersion: opt(r.addressed_version),
    addressedAt: opt(r.addressed_at),
    reviewedAt: r.reviewed_at as string,
    touchedFiles: r.touched_files ? (JSON.parse(r.touched_files as string) as string[]) : [],
    reply: r.outbox_id ? { id: r.outbox_id as number, messageId: r.reply_message_id as string, state: r.reply_state as string, deliveredVia: opt(r.delivered_via) } : undefined,
  };
}

export class ViewQueries {
  constructor(private readonly db: Database.Database) {}

  findings(filter: FindingFilter = {}): FindingView[] {
    const { sql, params } = where(filter);
    const rows = this.db.prepare(`${FINDING_SELECT} ${sql} ORDER BY r.reviewed_at DESC, f.finding_id LIMIT @limit`).all({ ...params, limit: filter.limit ?? 500 }) as Row[];
    return rows.map(findingView);
  }

  sourceHealth(): SourceHealth[] {
    const rows = this.db
      .prepare(
        `SELECT s.*, (SELECT MAX(m.date) FROM message_lists ml JOIN messages m ON m.message_id = ml.message_id WHERE ml.list = s.list) AS newest,
                (SELECT COUNT(*) FROM message_lists ml WHERE ml.list = s.list) AS messages,
                (SELECT COUNT(*) FROM ingest_errors e WHERE e.list = s.list) AS errors
         FROM sources s ORDER BY s.list`,
      )
      .all() as Row[];
    return rows.map((r) => ({
      list: r.list as string,
      type: r.type as string,
      cursor: opt(r.cursor),
      lastFetchAt: opt(r.last_fetch_at),
      lastSuccessAt: opt(r.last_success_at),
      lastError: opt(r.last_error),
      consecutiveFailures: r.consecutive_failures as number,
      newestMessageDate: opt(r.newest),
      messages: r.messages as number,
      ingestErrors: r.errors as number,
    }));
  }

  /** Every posting linked to `key` through version lineage (predecessor links), oldest version first. */
  series(key: string): SeriesView | undefined {
    const rootOf = this.db.prepare("SELECT COALESCE(thread_root, message_id) AS root FROM messages WHERE message_id = ?");
    // The key may be a cover letter the archive never had: its patches still name it as their root.
    const start =
      ((rootOf.get(key) as Row | undefined)?.root as string | undefined) ??
      (this.db.prepare("SELECT 1 FROM messages WHERE thread_root = ? LIMIT 1").get(key) ? key : undefined);
    if (!start) return undefined;
    const roots = new Set([start]);
    const linked = this.db.prepare(
      `SELECT DISTINCT COALESCE(p.thread_root, p.message_id) AS root
       FROM messages m JOIN reviews r ON r.message_id = m.message_id JOIN messages p ON p.message_id = r.predecessor
       WHERE COALESCE(m.thread_root, m.message_id) IN (SELECT value FROM json_each(@roots))
       UNION
       SELECT DISTINCT COALESCE(m.thread_root, m.message_id)
       FROM reviews r JOIN messages m ON m.message_id = r.message_id JOIN messages p ON p.message_id = r.predecessor
       WHERE COALESCE(p.thread_root, p.message_id) IN (SELECT value FROM json_each(@roots))
       UNION
       SELECT DISTINCT COALESCE(o.thread_root, o.message_id)
       FROM messages m JOIN messages o ON o.from_address = m.from_address AND o.title = m.title AND o.kind = 'patch'
       WHERE m.kind = 'patch' AND COALESCE(m.thread_root, m.message_id) IN (SELECT value FROM json_each(@roots))`,
    );
    for (let i = 0; i < 20; i++) {
      const before = roots.size;
      for (const r of linked.all({ roots: JSON.stringify([...roots]) }) as Row[]) roots.add(r.root as string);
      if (roots.size === before) break;
    }
    const rootList = [...roots];
    const messages = this.db
      .prepare(
        `SELECT m.*, COALESCE(m.thread_root, m.message_id) AS root, r.review_id, r.no_reply_reason
         FROM messages m LEFT JOIN reviews r ON r.message_id = m.message_id
         WHERE (COALESCE(m.thread_root, m.message_id) IN (SELECT value FROM json_each(@roots)) OR m.message_id IN (SELECT value FROM json_each(@roots)))
           AND m.kind IN ('patch', 'cover')
         ORDER BY m.version, m.series_index, m.date`,
      )
      .all({ roots: JSON.stringify(rootList) }) as Row[];
    const findings = this.findings({ seriesRoots: rootList, limit: 5000 });
    const versions = new Map<string, SeriesView["versions"][number]>();
    for (const m of messages) {
      const vkey = `${m.version}\0${m.root}`;
      let v = versions.get(vkey);
      if (!v) versions.set(vkey, (v = { version: m.version as number, root: m.root as string, patches: [] }));
      const patch: SeriesPatchView = {
        messageId: m.message_id as string,
        subject: m.subject as string,
        kind: m.kind as string,
        index: opt(m.series_index),
        total: opt(m.series_total),
        date: opt(m.date),
        author: opt(m.from_address),
        reviewed: m.review_id !== null,
        findings: findings.filter((f) => f.messageId === m.message_id).sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line),
        noReplyReason: opt(m.no_reply_reason),
      };
      v.patches.push(patch);
    }
    const first = messages.find((m) => m.message_id === start) ?? messages[0];
    const lists = (this.db.prepare("SELECT DISTINCT list FROM message_lists WHERE message_id IN (SELECT value FROM json_each(?))").all(JSON.stringify(messages.map((m) => m.message_id))) as Row[]).map((r) => r.list as string);
    return {
      key,
      title: (first?.title as string | undefined) ?? (first?.subject as string | undefined) ?? key,
      author: opt(first?.from_address),
      lists,
      versions: [...versions.values()].sort((a, b) => a.version - b.version),
    };
  }

  lastDigest(recipient: string): DigestRecord | undefined {
    const r = this.db.prepare("SELECT * FROM digests WHERE recipient = ? ORDER BY period_end DESC LIMIT 1").get(recipient) as Row | undefined;
    return r ? { recipient, periodStart: r.period_start as string, periodEnd: r.period_end as string, findings: r.findings as number, outboxMessageId: opt(r.outbox_message_id) } : undefined;
  }

  recordDigest(d: DigestRecord, at: Date): void {
    this.db.prepare("INSERT INTO digests (recipient, period_start, period_end, findings, outbox_message_id, created_at) VALUES (?, ?, ?, ?, ?, ?)").run(
      d.recipient, d.periodStart, d.periodEnd, d.findings, d.outboxMessageId ?? null, at.toISOString(),
    );
  }
}
