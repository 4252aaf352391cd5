// Serialises a composed reply as an RFC 5322 message: 8bit UTF-8 plain
// text, RFC 2047 encoded words only where a header needs them, header lines
// folded (src/mail/header-fields.ts), and the headers that stop other bots
// from answering.
import { encodeUnstructured, foldAddresses, foldHeader, foldMessageIds, formatAddress } from "../mail/header-fields.js";
import type { ComposedReply } from "./compose-reply.js";

export { formatAddress };

export function renderRfc5322(reply: ComposedReply, extraHeaders: Record<string, string> = {}): string {
  const headers = [
    foldAddresses("From", [reply.from]),
    reply.to.length ? foldAddresses("To", reply.to) : "",
    reply.cc.length ? foldAddresses("Cc", reply.cc) : "",
    foldHeader("Subject", encodeUnstructured(reply.subject)),
    `Date: ${reply.date.toUTCString().replace("GMT", "+0000")}`,
    foldMessageIds("Message-ID", [reply.messageId]),
    foldMessageIds("In-Reply-To", [reply.inReplyTo]),
    foldMessageIds("References", reply.references),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    // RFC 3834: automatic responders must not answer this mail.
    "Auto-Submitted: auto-generated",
    foldHeader("X-Pinwatch-Key", Buffer.from(reply.idempotencyKey).toString("base64url")),
    ...Object.entries(extraHeaders).map(([k, v]) => foldHeader(k, v)),
  ].filter(Boolean);
  return `${headers.join("\r\n")}\r\n\r\n${reply.body.replace(/\r?\n/g, "\r\n")}`;
}
