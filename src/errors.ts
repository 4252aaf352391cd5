// Coded errors: every failure pinwatch reports carries a stable PW_E_* code,
// names the input it is about, and says what was wrong.
// Retired codes must never be reused; the README's error table lists them all.
import { visible } from "./visible-text.js";

export const ERROR_CODES = {
  PW_E_USAGE: "bad command-line usage",
  PW_E_INPUT_READ: "an input path could not be read",
  PW_E_INPUT_FORMAT: "an input is not a mail, an mbox, a maildir or gzip of those",
  PW_E_MAIL_PARSE: "a message could not be parsed as RFC 5322 mail",
  PW_E_DIFF_PARSE: "a patch's diff could not be parsed",
  PW_E_RULE_CRASH: "a rule threw while checking a message (the other rules still ran)",
  PW_E_CONFIG: "the configuration is invalid",
  PW_E_REPLY_WRITE: "a composed reply could not be written",
  PW_E_STORE: "the database could not be opened or written",
  PW_E_STORE_FULL: "the disk holding the database is full; the process stops, nothing of the batch in hand is stored",
  PW_E_STORE_READONLY: "the database file can no longer be written (immutable, read-only filesystem); the process stops",
  PW_E_STORE_GONE: "the database file was removed or replaced while pinwatch used it; the process stops",
  PW_E_SOURCE_FETCH: "a list's source could not be fetched (network, server or git error); retried with backoff",
  PW_E_SOURCE_FORMAT: "a source answered with something that is not what it should serve",
  PW_E_OUTBOX: "an outbox command named a reply that does not exist or is in the wrong state",
  PW_E_SMTP: "the mail server could not be reached or failed temporarily; the reply is retried with backoff",
  PW_E_SMTP_REJECTED: "the mail server refused a reply permanently (5xx); it is marked failed until retried by hand",
  PW_E_SMTP_CONFIG: "the mail server refused pinwatch itself (login, TLS, sender address): sending is paused, no reply is failed",
  PW_E_LISTEN: "the dashboard cannot listen on its address (in use, not allowed, or not on this machine)",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class PinwatchError extends Error {
  readonly code: ErrorCode;
  /** The file, message or setting the error is about. */
  readonly subject: string | undefined;

  constructor(code: ErrorCode, message: string, options: { subject?: string; cause?: unknown } = {}) {
    super(options.subject ? `${options.subject}: ${message}` : message, { cause: options.cause });
    this.name = "PinwatchError";
    this.code = code;
    this.subject = options.subject;
  }
}

/** Shortens untrusted input for an error message, its control bytes made visible. */
export function excerpt(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return visible(flat.length > max ? `${flat.slice(0, max - 1)}…` : flat);
}

/** Errors worth retrying after a pause: network trouble, 429 and 5xx. */
export class RetryableError extends PinwatchError {
  /** Server-requested delay (Retry-After), in milliseconds. */
  readonly retryAfterMs: number | undefined;
  constructor(code: ErrorCode, message: string, options: { subject?: string; cause?: unknown; retryAfterMs?: number } = {}) {
    super(code, message, options);
    this.name = "RetryableError";
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
