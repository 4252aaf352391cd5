// What the dashboard, its JSON API and the digest read from the store:
// plain data, already joined, so the web and digest code hold no SQL.

export type DisplayStatus = "open" | "addressed" | "replied" | "held";

export interface FindingFilter {
  list?: string;
  category?: string;
  rule?: string;
  /** A substring of the patch author's address. */
  author?: string;
  status?: DisplayStatus;
  /** ISO dates: the patch's Date (or its review time when it has none). */
  since?: string;
  until?: string;
  /** Found (reviewed) at or after this ISO time. */
  reviewedSince?: string;
  /** Addressed by a later version reviewed at or after this ISO time. */
  addressedSince?: string;
  /** Thread roots of the postings to include. */
  seriesRoots?: readonly string[];
  limit?: number;
}

export interface FindingView {
  findingId: number;
  messageId: string;
  subject: string;
  title: string;
  author?: string;
  date?: string;
  list: string;
  /** The posting's cover letter or first patch (the series page key). */
  seriesRoot: string;
  /** The posting where this finding was first reported (v1's root): one series across versions. */
  lineageRoot: string;
  version: number;
  rule: string;
  category: string;
  severity: string;
  file: string;
  line: number;
  function?: string;
  message: string;
  excerpt?: string;
  /** new, still-present or addressed, as stored. */
  lineage: string;
  firstVersion: number;
  status: DisplayStatus;
  addressedIn?: string;
  addressedVersion?: number;
  addressedAt?: string;
  reviewedAt: string;
  touchedFiles: string[];
  reply?: { id: number; messageId: string; state: string; deliveredVia?: string };
}

export interface SourceHealth {
  list: string;
  type: string;
  cursor?: string;
  lastFetchAt?: string;
  lastSuccessAt?: string;
  lastError?: string;
  consecutiveFailures: number;
  newestMessageDate?: string;
  messages: number;
  ingestErrors: number;
}

export interface SeriesPatchView {
  messageId: string;
  subject: string;
  kind: string;
  index?: number;
  total?: number;
  date?: string;
  author?: string;
  reviewed: boolean;
  findings: FindingView[];
  noReplyReason?: string;
}

export interface SeriesVersionView {
  version: number;
  root: string;
  patches: SeriesPatchView[];
}

export interface SeriesView {
  key: string;
  title: string;
  author?: string;
  lists: string[];
  versions: SeriesVersionView[];
}

export interface DigestRecord {
  recipient: string;
  periodStart: string;
  periodEnd: string;
  findings: number;
  outboxMessageId?: string;
}
