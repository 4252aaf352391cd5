// The Store interface: everything pinwatch remembers (source cursors, every
// message seen, reviews, findings, replies owed) behind one async API, so a
// server database shared by several workers can replace SQLite later. No SQL
// outside src/store/.
import type { MailKind } from "../mail/types.js";
import type { Category, Severity } from "../rules/types.js";

/** What is known of a message from its headers. */
export interface MessageMeta {
  messageId: string;
  subject: string;
  fromAddress?: string;
  /** ISO 8601, from the Date: header when it parses. */
  date?: string;
  kind: MailKind;
  seriesKey?: string;
  version: number;
  index?: number;
  total?: number;
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
}

/** A composed reply, recorded before anything delivers it. */
export interface OutboxReply {
  replyMessageId: string;
  /** Reviewed Message-ID + rule-set version: a reply is owed at most once per key. */
  idempotencyKey: string;
  inReplyTo: string;
  list: string;
  raw: string;
}

export interface ReviewRecord {
  messageId: string;
  rulesetVersion: string;
  /** ISO time of the review. */
  reviewedAt: string;
  findings: StoredFinding[];
  reply?: OutboxReply;
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
  commit(batch: IngestBatch): Promise<void>;
  /** Series indexes (N of N/M) seen so far for a series key. */
  seriesIndexes(seriesKey: string): Promise<{ indexes: number[]; total: number }>;
  /** Patches awaiting review: of one series, or of one list. */
  pendingPatches(filter: { seriesKey: string } | { list: string }): Promise<PendingPatch[]>;
  recordFetch(sourceId: string, list: string, type: string, outcome: { ok: boolean; error?: string; at: Date }): Promise<void>;
  /** Replies not yet written to the dry-run outbox (issue: outbox states come later). */
  undeliveredReplies(): Promise<OutboxReply[]>;
  markDelivered(replyMessageId: string, at: Date): Promise<void>;
  counts(): Promise<StoreCounts>;
  close(): Promise<void>;
}
