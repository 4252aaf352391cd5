// Live delivery over SMTP with nodemailer: the stored message bytes go out
// unchanged (its Message-ID included), to the recipients recorded with it.
// The login comes from environment variables named in config and is never
// logged. Failures are sorted for the outbox: a refusal of pinwatch itself
// (login, TLS, sender) pauses sending, another 5xx fails the reply,
// everything else (no connection, timeouts, 4xx, a connection dropped
// mid-DATA) is retried.
import nodemailer from "nodemailer";
import type { OutboxConfig } from "../config/schema.js";
import { PinwatchError, RetryableError } from "../errors.js";

export interface SmtpMessage {
  /** For error messages: outbox number and reply Message-ID. */
  label: string;
  from: string;
  to: string[];
  raw: string;
}

export interface MailTransport {
  send(message: SmtpMessage): Promise<void>;
  close(): void;
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/**
 * Failures that are about pinwatch, not the reply: the login (535, 530 ...),
 * TLS (no STARTTLS, a certificate that does not verify, TLS spoken to a
 * plain port), the sender address refused. Every reply would meet them.
 */
function isConfigFailure(e: SmtpError): boolean {
  if (e.code === "EAUTH" || e.code === "ENOAUTH" || e.code === "ETLS") return true;
  if (typeof e.responseCode === "number" && [530, 534, 535, 538].includes(e.responseCode)) return true;
  if (typeof e.responseCode === "number" && e.responseCode >= 500 && /^MAIL FROM/i.test(e.command ?? "")) return true;
  return e.code === "ESOCKET" && /certificate|wrong version number|ssl|tls/i.test(e.message ?? "");
}

export function classifySmtpError(err: unknown, label: string): PinwatchError {
  const e = err as SmtpError;
  const reply = e.response ? `server replied "${e.response.replace(/\s+/g, " ").trim().slice(0, 200)}"` : (e.message ?? String(err));
  const during = e.command ? ` (after ${e.command.split(" ")[0]})` : "";
  if (isConfigFailure(e)) {
    return new PinwatchError("PW_E_SMTP_CONFIG", `the mail server refused pinwatch${during}: ${reply}; check outbox.smtp and the login in its environment variables`, { subject: label, cause: err });
  }
  if (typeof e.responseCode === "number" && e.responseCode >= 500) {
    return new PinwatchError("PW_E_SMTP_REJECTED", `rejected by the mail server${during}: ${reply}`, { subject: label, cause: err });
  }
  return new RetryableError("PW_E_SMTP", `not delivered${during}: ${reply}`, { subject: label, cause: err });
}

export function createSmtpTransport(smtp: OutboxConfig["smtp"], env: NodeJS.ProcessEnv = process.env): MailTransport {
  const user = env[smtp.userEnv];
  const pass = env[smtp.passwordEnv];
  const timeout = smtp.timeoutSeconds * 1000;
  const transporter = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === "tls",
    requireTLS: smtp.security === "starttls",
    ignoreTLS: smtp.security === "none",
    auth: user ? { user, pass } : undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    logger: false,
    debug: false,
  });
  return {
    async send(message) {
      try {
        await transporter.sendMail({ envelope: { from: message.from, to: message.to }, raw: message.raw });
      } catch (err) {
        throw classifySmtpError(err, message.label);
      }
    },
    close() {
      transporter.close();
    },
  };
}
