// Schema migrations for the SQLite store, applied in order and recorded in
// schema_migrations. Never edit a migration that has shipped: add one.
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: "sources, messages, reviews, findings, patches awaiting review, outbox, errors",
    sql: `
      CREATE TABLE sources (
        source_id TEXT PRIMARY KEY,
        list TEXT NOT NULL,
        type TEXT NOT NULL,
        cursor TEXT,
        last_fetch_at TEXT,
        last_success_at TEXT,
        last_error TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE messages (
        message_id TEXT PRIMARY KEY,
        subject TEXT NOT NULL,
        from_address TEXT,
        date TEXT,
        kind TEXT NOT NULL,
        series_key TEXT,
        version INTEGER NOT NULL DEFAULT 1,
        series_index INTEGER,
        series_total INTEGER,
        first_list TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        deleted_at TEXT
      );
      CREATE INDEX messages_series ON messages(series_key) WHERE series_key IS NOT NULL;
      CREATE INDEX messages_date ON messages(date);
      CREATE TABLE message_lists (
        message_id TEXT NOT NULL REFERENCES messages(message_id),
        list TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (message_id, list)
      ) WITHOUT ROWID;
      CREATE TABLE pending_patches (
        message_id TEXT PRIMARY KEY REFERENCES messages(message_id),
        series_key TEXT,
        list TEXT NOT NULL,
        raw BLOB NOT NULL,
        date TEXT
      );
      CREATE INDEX pending_series ON pending_patches(series_key);
      CREATE TABLE reviews (
        review_id INTEGER PRIMARY KEY,
        message_id TEXT NOT NULL REFERENCES messages(message_id),
        ruleset_version TEXT NOT NULL,
        reviewed_at TEXT NOT NULL,
        finding_count INTEGER NOT NULL,
        error_code TEXT,
        error_message TEXT,
        UNIQUE (message_id, ruleset_version)
      );
      CREATE TABLE findings (
        finding_id INTEGER PRIMARY KEY,
        review_id INTEGER NOT NULL REFERENCES reviews(review_id),
        message_id TEXT NOT NULL,
        rule TEXT NOT NULL,
        category TEXT NOT NULL,
        severity TEXT NOT NULL,
        file TEXT NOT NULL,
        line INTEGER NOT NULL,
        function TEXT,
        fingerprint TEXT NOT NULL,
        message TEXT NOT NULL,
        mailable INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'new'
      );
      CREATE INDEX findings_message ON findings(message_id);
      CREATE INDEX findings_fingerprint ON findings(fingerprint);
      CREATE TABLE outbox (
        reply_message_id TEXT PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        in_reply_to TEXT NOT NULL,
        list TEXT NOT NULL,
        raw TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        created_at TEXT NOT NULL,
        delivered_at TEXT
      );
      CREATE TABLE ingest_errors (
        error_id INTEGER PRIMARY KEY,
        list TEXT NOT NULL,
        position TEXT NOT NULL,
        message_id TEXT,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "outbox states, claims and retries; version lineage of patches and findings",
    sql: `
      ALTER TABLE messages ADD COLUMN title TEXT;
      ALTER TABLE messages ADD COLUMN in_reply_to TEXT;
      ALTER TABLE messages ADD COLUMN thread_root TEXT;
      ALTER TABLE messages ADD COLUMN change_id TEXT;
      ALTER TABLE messages ADD COLUMN patch_id TEXT;
      CREATE INDEX messages_title ON messages(from_address, title);
      CREATE INDEX messages_patch_id ON messages(patch_id) WHERE patch_id IS NOT NULL;
      CREATE INDEX messages_change_id ON messages(change_id) WHERE change_id IS NOT NULL;
      CREATE INDEX messages_thread_root ON messages(thread_root) WHERE thread_root IS NOT NULL;
      CREATE INDEX messages_in_reply_to ON messages(in_reply_to) WHERE in_reply_to IS NOT NULL;

      ALTER TABLE reviews ADD COLUMN version INTEGER;
      ALTER TABLE reviews ADD COLUMN predecessor TEXT;
      ALTER TABLE reviews ADD COLUMN touched_files TEXT;
      ALTER TABLE reviews ADD COLUMN no_reply_reason TEXT;

      ALTER TABLE findings ADD COLUMN first_version INTEGER;
      ALTER TABLE findings ADD COLUMN first_message_id TEXT;
      ALTER TABLE findings ADD COLUMN addressed_in TEXT;
      CREATE INDEX findings_rule ON findings(rule);

      CREATE TABLE outbox_v2 (
        outbox_id INTEGER PRIMARY KEY,
        reply_message_id TEXT NOT NULL UNIQUE,
        idempotency_key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL DEFAULT 'reply',
        in_reply_to TEXT,
        list TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        recipients TEXT NOT NULL DEFAULT '[]',
        raw TEXT NOT NULL,
        mode TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error TEXT,
        claimed_by TEXT,
        claimed_at TEXT,
        in_doubt INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        delivered_via TEXT,
        decided_by TEXT,
        decided_at TEXT
      );
      INSERT INTO outbox_v2 (reply_message_id, idempotency_key, in_reply_to, list, raw, mode, state, created_at, sent_at, delivered_via)
        SELECT reply_message_id, idempotency_key, in_reply_to, list, raw, 'dry-run',
               CASE state WHEN 'dry-run' THEN 'sent' ELSE state END, created_at, delivered_at,
               CASE state WHEN 'dry-run' THEN 'maildir' END
        FROM outbox ORDER BY created_at;
      DROP TABLE outbox;
      ALTER TABLE outbox_v2 RENAME TO outbox;
      -- At most one reply per patch, whatever the rule-set version.
      CREATE UNIQUE INDEX outbox_one_reply_per_patch ON outbox(in_reply_to) WHERE kind = 'reply';
      CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
      CREATE INDEX outbox_sent ON outbox(sent_at) WHERE sent_at IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: "quoted excerpts of findings; digests sent",
    sql: `
      ALTER TABLE findings ADD COLUMN excerpt TEXT;
      CREATE TABLE digests (
        digest_id INTEGER PRIMARY KEY,
        recipient TEXT NOT NULL,
        period_start TEXT NOT NULL,
        period_end TEXT NOT NULL,
        findings INTEGER NOT NULL,
        outbox_message_id TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX digests_recipient ON digests(recipient, period_end);
      CREATE INDEX reviews_reviewed_at ON reviews(reviewed_at);
      CREATE INDEX reviews_predecessor ON reviews(predecessor) WHERE predecessor IS NOT NULL;
      CREATE INDEX findings_addressed_in ON findings(addressed_in) WHERE addressed_in IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: "sending paused by a mail server that refuses pinwatch itself",
    sql: `
      CREATE TABLE outbox_pause (
        pause_id INTEGER PRIMARY KEY CHECK (pause_id = 1),
        code TEXT NOT NULL,
        reason TEXT NOT NULL,
        since TEXT NOT NULL,
        retry_at TEXT NOT NULL,
        probes INTEGER NOT NULL DEFAULT 0
      );
    `,
  },
  {
    version: 5,
    name: "the digest of each review's GUP/pin hunks (whitespace and wrapping aside), to tell an unchanged new version",
    sql: `
      ALTER TABLE reviews ADD COLUMN gup_digest TEXT;
    `,
  },
];

// Migrations that shipped on a branch under another number before the branches were merged. A database
// that recorded one under its old number has it renumbered before migrating, so the migration that now
// holds that number still runs and the renumbered one is not applied twice. Matched by name, never by
// number alone.
export const RENUMBERED: readonly { from: number; to: number; name: string }[] = [
  // issue-16 added the GUP digest as migration 4 while issue-17 added the sending pause as 4.
  { from: 4, to: 5, name: MIGRATIONS.find((m) => m.version === 5)!.name },
];
