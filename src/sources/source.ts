// One interface for every place mail comes from: public-inbox git epochs,
// NNTP, HTTP Atom + raw, and local mailboxes. A source knows how to bring new
// mail within reach (fetch) and how to list what lies after a cursor, oldest
// first. It never decides what is new to pinwatch: the store does.
import type { PinwatchError } from "../errors.js";

export interface SourceMessage {
  /** The cursor value to store once this message's results are committed. */
  cursor: string;
  /** Human-readable position for errors: commit id, article number, URL, path#N. */
  position: string;
  bytes: Buffer;
  /** A public-inbox deletion record: `bytes` is the message that was removed. */
  deleted?: boolean;
  /** Holds no message to take (older than `since`, or a commit that carries none): only the cursor moves past it. */
  outOfRange?: boolean;
  /** This position could not be read: recorded, skipped, and the cursor moves on. */
  error?: PinwatchError;
}

export interface ReadOptions {
  /** Only messages from this date on (backfill, first poll); the cursor is then ignored. */
  since?: Date;
  /** Stops the reading between two messages. */
  signal?: AbortSignal;
  /** Told how many messages the read will yield, when the source knows. */
  onTotal?: (total: number) => void;
}

export interface FetchOptions {
  signal?: AbortSignal;
  cursor?: string;
  /** The read that follows starts at this date (a first poll's startFrom, a backfill): what is older need not be fetched. */
  since?: Date;
}

export interface Source {
  /** Stable key of the cursor in the store: "<list>:<type>". */
  readonly id: string;
  readonly type: "git" | "nntp" | "atom" | "mailbox";
  readonly list: string;
  /** Network step: clone or fetch what is new (conditionally on the cursor, where the protocol can). Throws PW_E_SOURCE_FETCH. */
  fetch(options?: FetchOptions): Promise<void>;
  /** Everything after `cursor` (or from options.since), oldest first. */
  read(cursor: string | undefined, options?: ReadOptions): AsyncIterable<SourceMessage>;
  close(): Promise<void>;
}
