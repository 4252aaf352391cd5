// The Store interface: everything pinwatch remembers (source cursors, every
// message seen, reviews, findings, replies owed) behind one async API, so a
// server database shared by several workers can replace SQLite later. No SQL
// outside src/store/.
import type { MailKind } from "../mail/types.js";
import type { LineageKeys, PriorReview } from "../review/lineage.js";
import type { DigestRecord, FindingFilter, FindingView, SeriesView, SourceHealth } from "./views.js";
import type { Category, Severity } from "../rules/types.js";

/** What is known of a message from its headers. */
export interface MessageMeta {
  messageId: string;
  subject: string;
  /** The author's address: a patch's in-body From when it has one, else From. */
  fromAddress?: string;
  /** ISO 8601, from the Date: header when it parses. */
  date?: string;
  kind: MailKind;
  seriesKey?: string;
  version: number;
  index?: number;
  total?: number;
  /** The subject without its [PATCH ...] prefixes: what stays the same across versions. */
  title: string;
  inReplyTo?: string;
  /** The first Reference (the posting's cover letter or first patch). */
  threadRoot?: string;
  /** b4's change-id trailer, read from cover letters. */
  changeId?: string;
  /** The patch's content id (src/diff/patch-id.ts), for patches that were reviewed. */
  patchId?: string;
}

export interface StoredFinding {
  rule: string;
  category: Category;
  severity: Severity;
  file: string;
  line: number;
  function: string | null;
  fingerprint: string;
  message: string;
  mailable: boolean;
  /** The hunk lines the finding is about, as quoted in a reply ("> +..."). */
  excerpt?: string;
  /** new, or still-present (first reported on an earlier version). */
  status: "new" | "still-present";
  firstVersion: number;
  firstMessageId: string;
}

/** A composed reply, recorded before anything delivers it. */
export interface OutboxReply {
  replyMessageId: string;
  /** Reviewed Message-ID + rule-set version: a reply is owed at most once per key. */
  idempotencyKey: string;
  inReplyTo: string;
  list: string;
  raw: string;
  /** Envelope recipients (To and Cc). */
  recipients: string[];
  subject: string;
  /** Set by ingest from the list's replyMode when the reply is recorded. */
  mode?: "dry-run" | "moderated" | "live";
}

export type OutboxState = "pending" | "sending" | "sent" | "failed" | "held" | "rejected";

/** A reply in the outbox, as the outbox commands and the dashboard see it. */
export interface OutboxEntry extends Required<Omit<OutboxReply, "mode">> {
  id: number;
  mode: "dry-run" | "moderated" | "live";
  state: OutboxState;
  attempts: number;
  nextAttemptAt?: string;
  lastError?: string;
  createdAt: string;
  sentAt?: string;
  /** maildir, smtp, or archive (an in-doubt send later seen on a list). */
  deliveredVia?: string;
  decidedBy?: string;
  /** A send of it was cut off after the server may have accepted it: look in the archives before sending it again. */
  inDoubt: boolean;
}

export interface ReviewRecord {
  messageId: string;
  rulesetVersion: string;
  /** ISO time of the review. */
  reviewedAt: string;
  findings: StoredFinding[];
  reply?: OutboxReply;
  /** Why no reply is owed although findings are mailable (a bot's patch, an opt-out, nothing new). */
  noReplyReason?: string;
  /** The patch's version, its earlier version's review, the files it touches and its patch-id. */
  version?: number;
  predecessor?: string;
  touchedFiles?: string[];
  /** The patch's GUP/pin hunks, whitespace and wrapping aside (src/review/gup-digest.ts). */
  gupDigest?: string;
  /** Set when the review itself failed (the message is still recorded as seen). */
  error?: { code: string; message: string };
}

/**
 * A patch awaiting its review: a lone patch until its review is stored, a
 * series patch until its posting is complete (or has waited long enough).
 * Keeping it in the store lets the cursor move on while reviews run.
 */
export interface PendingPatch {
  messageId: string;
  seriesKey?: string;
  list: string;
  raw: Buffer;
  date?: string;
}

export interface IngestError {
  list: string;
  /** Where in the source: commit, article number, URL, path#N. */
  position: string;
  messageId?: string;
  code: string;
  message: string;
}

/**
 * One atomic step of ingestion: the results of a run of messages and the
 * source position after the last of them. Either all of it is stored, or
 * none of it (and the cursor stays where it was).
 */
export interface IngestBatch {
  sourceId: string;
  sourceType: string;
  list: string;
  /** The cursor after this batch; undefined leaves it unchanged. */
  cursor?: string;
  /** Messages seen on this list (new ones, and ones already seen on another list). */
  seen: MessageMeta[];
  pending: PendingPatch[];
  reviews: ReviewRecord[];
  /** Pending patches whose reviews are in this batch. */
  resolvedPending: string[];
  /** Message-IDs removed from the archive (public-inbox `d` blobs). */
  deletions: string[];
  errors: IngestError[];
}

export interface OutboxFilter {
  state?: OutboxState;
  list?: string;
  limit?: number;
}

/** A person's (or pinwatch's) decision about one reply. */
export type OutboxDecision = "approve" | "reject" | "retry";

/** What happened to one claimed send. */
export type DeliveryOutcome =
  | { state: "sent"; via: "maildir" | "smtp" | "archive"; at: Date }
  /** Try again at `nextAttemptAt`; `countsAsAttempt` false when only a rate limit held it back. */
  | { state: "pending"; error?: string; nextAttemptAt: Date; countsAsAttempt: boolean }
  | { state: "failed"; error: string; at: Date };

/** Sending stopped because the mail server refuses pinwatch itself (its login, TLS, its address). */
export interface SendingPause {
  code: string;
  reason: string;
  since: string;
  /** When the next run tries one reply again. */
  retryAt: string;
  /** Tries since the pause began. */
  probes: number;
}

export interface StoreCounts {
  messages: number;
  reviews: number;
  findings: number;
  pending: number;
  outbox: number;
  errors: number;
}

export interface Store {
  cursor(sourceId: string): Promise<string | undefined>;
  /** Which of these Message-IDs are already stored (from any list). */
  knownMessageIds(ids: readonly string[]): Promise<Set<string>>;
  /** Stores a batch and moves the cursor in one transaction. */
  /** Commits the batch in one transaction; `newMessages` counts the seen messages the store did not have before. */
  commit(batch: IngestBatch): Promise<{ newMessages: number }>;
  /** Series indexes (N of N/M) seen so far for a series key. */
  seriesIndexes(seriesKey: string): Promise<{ indexes: number[]; total: number }>;
  /** Patches awaiting review: of one series, or of one list. */
  pendingPatches(filter: { seriesKey: string } | { list: string }): Promise<PendingPatch[]>;
  recordFetch(sourceId: string, list: string, type: string, outcome: { ok: boolean; error?: string; at: Date }): Promise<void>;
  /** The review of the closest earlier version of a patch, if one was reviewed. */
  priorReview(keys: LineageKeys): Promise<PriorReview | undefined>;

  // The outbox: a reply is recorded with its review (commit) and then moves
  // pending → sending (claimed by one process) → sent | pending (retry) | failed;
  // moderated replies start held and are approved (→ pending) or rejected.
  /**
   * Claims up to `limit` replies due now. Each is claimed by one process
   * only. A reply whose Message-ID has already been seen on a list is
   * recorded as sent (delivered by an earlier, interrupted send) instead.
   * `excluding`: replies already handled in this run; `modes`: only these (a paused outbox claims dry-run ones only).
   */
  claimDue(owner: string, now: Date, limit: number, excluding?: readonly number[], modes?: readonly OutboxEntry["mode"][]): Promise<OutboxEntry[]>;
  /** Records the outcome of a claimed send; false if the claim was lost meanwhile. */
  recordDelivery(id: number, owner: string, outcome: DeliveryOutcome): Promise<boolean>;
  /**
   * Live claims older than `claimTimeoutMs` were cut off mid-send (a crash):
   * each is recorded as sent if its Message-ID was seen on a list since,
   * else it waits `inDoubtWaitMs` from its claim for the list to echo it,
   * then is due again (in doubt). Dry-run claims are released at once
   * (`released`): writing the maildir file again makes no second copy.
   */
  recoverStaleClaims(now: Date, claimTimeoutMs: number, inDoubtWaitMs: number): Promise<{ confirmed: number; requeued: number; released: number }>;
  /** Mails sent by SMTP since `since`, to one list or overall. */
  sentCount(since: Date, list?: string): Promise<number>;
  outboxEntries(filter?: OutboxFilter): Promise<OutboxEntry[]>;
  /** By outbox number or by the reply's Message-ID. */
  outboxEntry(id: number | string): Promise<OutboxEntry | undefined>;
  /** approve: held → pending (sent live); reject: held|pending|failed → rejected; retry: failed → pending. */
  decideOutbox(id: number, decision: OutboxDecision, by: string, at: Date): Promise<OutboxEntry>;
  /** Every failed reply due again (`outbox retry --all`); how many. */
  retryFailed(by: string, at: Date): Promise<number>;
  /** The pause in force, if sending is paused. */
  sendingPause(): Promise<SendingPause | undefined>;
  /** Starts the pause, or records one more failed try of it. */
  pauseSending(pause: { code: string; reason: string; at: Date; retryAt: Date }): Promise<SendingPause>;
  /** Ends the pause; false if there was none. */
  resumeSending(): Promise<boolean>;
  /** Records a mail that is not a reply (a digest) for delivery; false if its key was recorded before. */
  enqueueMail(mail: OutboxReply & { kind: "digest" }, at: Date): Promise<boolean>;

  // Read side: the dashboard, its JSON API and the digest.
  findings(filter?: FindingFilter): Promise<FindingView[]>;
  sourceHealth(): Promise<SourceHealth[]>;
  /** A series by its cover letter's or first patch's Message-ID (or any of its patches'), with every version. */
  series(messageId: string): Promise<SeriesView | undefined>;
  lastDigest(recipient: string): Promise<DigestRecord | undefined>;
  recordDigest(digest: DigestRecord, at: Date): Promise<void>;
  counts(): Promise<StoreCounts>;
  /** Replies per outbox state (for /healthz and /metrics). */
  outboxStates(): Promise<Partial<Record<OutboxState, number>>>;
  /** Each source's fetch record, without the per-list counts of sourceHealth (cheap enough for /healthz). */
  fetchStates(): Promise<Pick<SourceHealth, "list" | "type" | "lastFetchAt" | "lastSuccessAt" | "lastError" | "consecutiveFailures">[]>;
  /** Throws when the database cannot be read. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
