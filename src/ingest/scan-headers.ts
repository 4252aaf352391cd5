// Reads what the store needs to know of every message (Message-ID, subject,
// sender, date, threading) from the raw header block alone, with libmime,
// so that the many messages that never need a review skip full MIME parsing.
import libmime from "libmime";
import addressparser from "nodemailer/lib/addressparser";
import { classify, idList, stripAngles, syntheticMessageId } from "../mail/parse-mail.js";
import { parseSubject } from "../mail/parse-subject.js";
import type { MailKind } from "../mail/types.js";
import { seriesKey } from "../review/series.js";
import type { MessageMeta } from "../store/store.js";

export interface HeaderScan {
  meta: MessageMeta;
  /** Byte offset where the body starts. */
  bodyOffset: number;
  /** True when the Message-ID was missing and made up from the bytes. */
  syntheticId: boolean;
}

const MAX_HEADER_BYTES = 256 * 1024;

function headerEnd(bytes: Buffer): { end: number; body: number } | undefined {
  const lf = bytes.indexOf("\n\n");
  const crlf = bytes.indexOf("\r\n\r\n");
  if (lf < 0 && crlf < 0) return undefined;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, body: crlf + 4 };
  return { end: lf, body: lf + 2 };
}

function decode(value: string | undefined): string {
  if (!value) return "";
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

/** Returns undefined when the bytes have no RFC 5322 header block. */
export function scanHeaders(bytes: Buffer): HeaderScan | undefined {
  const bounds = headerEnd(bytes.length > MAX_HEADER_BYTES ? bytes.subarray(0, MAX_HEADER_BYTES) : bytes) ?? { end: bytes.length, body: bytes.length };
  let text = bytes.toString("latin1", 0, Math.min(bounds.end, MAX_HEADER_BYTES));
  // An mbox "From " separator line is not a header.
  if (text.startsWith("From ")) text = text.slice(text.indexOf("\n") + 1);
  // Header values may be raw UTF-8; re-read them as such once unfolded.
  const headers = libmime.decodeHeaders(Buffer.from(text, "latin1").toString("utf8")) as Record<string, string[]>;
  const first = (name: string) => headers[name]?.[0];
  if (!first("message-id") && !first("subject") && !first("from") && !first("date")) return undefined;

  const rawId = first("message-id");
  const messageId = rawId && stripAngles(idList(rawId)[0] ?? rawId) ? stripAngles(idList(rawId)[0] ?? rawId) : undefined;
  const subject = decode(first("subject")).replace(/\s+/g, " ").trim();
  const tags = parseSubject(subject);
  const inReplyTo = idList(first("in-reply-to"))[0];
  const references = idList(headers["references"]);
  const from = addressparser(decode(first("from")), { flatten: true })[0];
  const parsedDate = first("date") ? new Date(first("date")!) : undefined;
  const date = parsedDate && !Number.isNaN(parsedDate.getTime()) ? parsedDate.toISOString() : undefined;
  const kind: MailKind = classify(tags, inReplyTo);
  const key = seriesKey({ kind, tags, references, inReplyTo, from: from?.address ? { name: from.name ?? "", address: from.address } : undefined });
  return {
    meta: {
      messageId: messageId ?? syntheticMessageId(bytes),
      subject,
      fromAddress: from?.address || undefined,
      date,
      kind,
      seriesKey: key,
      version: tags.version,
      index: tags.index,
      total: tags.total,
    },
    bodyOffset: bounds.body,
    syntheticId: !messageId,
  };
}

