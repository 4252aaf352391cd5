// Serialises a composed reply as an RFC 5322 message: 8bit UTF-8 plain
// text, RFC 2047 encoded words only where a header needs non-ASCII, folded
// header lines, and the headers that stop other bots from answering.
import type { Address } from "../mail/types.js";
import type { ComposedReply } from "./compose-reply.js";

function encodeWord(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  return `=?UTF-8?B?${Buffer.from(text, "utf8").toString("base64")}?=`;
}

export function formatAddress(a: Address): string {
  if (!a.name) return `<${a.address}>`;
  // eslint-disable-next-line no-control-regex
  if (!/^[\x20-\x7e]*$/.test(a.name)) return `${encodeWord(a.name)} <${a.address}>`;
  const name = /^[A-Za-z0-9 !#$%&'*+\-/=?^_`{|}~]+$/.test(a.name) ? a.name : `"${a.name.replace(/(["\\])/g, "\\$1")}"`;
  return `${name} <${a.address}>`;
}

/** Folds a header at commas/spaces so no line passes 78 characters where it can be helped. */
function fold(name: string, items: string[], separator: string): string {
  const lines: string[] = [];
  let line = `${name}: `;
  items.forEach((item, i) => {
    const piece = item + (i < items.length - 1 ? separator.trimEnd() : "");
    if (line.length + piece.length > 78 && line.trim() !== `${name}:`) {
      lines.push(line.trimEnd());
      line = ` ${piece} `;
    } else line += `${piece} `;
  });
  lines.push(line.trimEnd());
  return lines.join("\r\n");
}

export function renderRfc5322(reply: ComposedReply, extraHeaders: Record<string, string> = {}): string {
  const headers = [
    `From: ${formatAddress(reply.from)}`,
    reply.to.length ? fold("To", reply.to.map(formatAddress), ", ") : "",
    reply.cc.length ? fold("Cc", reply.cc.map(formatAddress), ", ") : "",
    `Subject: ${encodeWord(reply.subject)}`,
    `Date: ${reply.date.toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${reply.messageId}>`,
    `In-Reply-To: <${reply.inReplyTo}>`,
    fold("References", reply.references.map((r) => `<${r}>`), " "),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    // RFC 3834: automatic responders must not answer this mail.
    "Auto-Submitted: auto-generated",
    `X-Pinwatch-Key: ${Buffer.from(reply.idempotencyKey).toString("base64url")}`,
    ...Object.entries(extraHeaders).map(([k, v]) => `${k}: ${v}`),
  ].filter(Boolean);
  return `${headers.join("\r\n")}\r\n\r\n${reply.body.replace(/\r?\n/g, "\r\n")}`;
}
