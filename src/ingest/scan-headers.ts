// Reads what the store needs to know of every message (Message-ID, subject,
// sender, date, threading) from the raw header block alone, so that the many
// messages that never need a review skip full MIME parsing. Encoded words
// are decoded by libmime, addresses parsed by nodemailer's addressparser.
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
  if (!value.includes("=?")) return value;
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

/** The headers the store needs; everything else in the block is skipped unread. */
const WANTED = new Set(["message-id", "subject", "from", "date", "in-reply-to", "references"]);

/**
 * Collects the wanted headers of a header block, unfolded. libmime's
 * decodeHeaders() splits every header of the block (lore mail carries
 * dozens of Received: lines), which dominated a backfill's time; the values
 * are still decoded by libmime.
 */
function wantedHeaders(block: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] | undefined;
  let index = -1;
  for (const line of block.split("\n")) {
    if (line.startsWith(" ") || line.startsWith("\t")) {
      if (current) current[index] += ` ${line.trim()}`;
      continue;
    }
    current = undefined;
    const colon = line.indexOf(":");
    if (colon <= 0 || colon > 20) continue;
    const name = line.slice(0, colon).trimEnd().toLowerCase();
    if (!WANTED.has(name)) continue;
    current = found.get(name) ?? [];
    found.set(name, current);
    index = current.push(line.slice(colon + 1).trim()) - 1;
  }
  return found;
}

/** The usual From: shapes ("Name <addr>", "addr") directly; anything else through addressparser. */
function sender(value: string | undefined): { name: string; address: string } | undefined {
  if (!value) return undefined;
  const simple = /^(?:"?([^"<>]*?)"?\s*)?<([^<>\s@]+@[^<>\s@]+)>$|^([^<>\s@"]+@[^<>\s@"]+)$/.exec(value.trim());
  if (simple) return { name: decode(simple[1] ?? ""), address: simple[2] ?? simple[3]! };
  const parsed = addressparser(decode(value), { flatten: true })[0];
  return parsed?.address ? { name: parsed.name ?? "", address: parsed.address } : undefined;
}

/** Returns undefined when the bytes have no RFC 5322 header block. */
export function scanHeaders(bytes: Buffer): HeaderScan | undefined {
  const bounds = headerEnd(bytes.length > MAX_HEADER_BYTES ? bytes.subarray(0, MAX_HEADER_BYTES) : bytes) ?? { end: bytes.length, body: bytes.length };
  // Header values may be raw UTF-8.
  let text = bytes.toString("utf8", 0, Math.min(bounds.end, MAX_HEADER_BYTES)).replace(/\r/g, "");
  // An mbox "From " separator line is not a header.
  if (text.startsWith("From ")) text = text.slice(text.indexOf("\n") + 1);
  const headers = wantedHeaders(text);
  const first = (name: string) => headers.get(name)?.[0];
  if (!first("message-id") && !first("subject") && !first("from") && !first("date")) return undefined;

  const rawId = first("message-id");
  const messageId = rawId && stripAngles(idList(rawId)[0] ?? rawId) ? stripAngles(idList(rawId)[0] ?? rawId) : undefined;
  const subject = decode(first("subject")).replace(/\s+/g, " ").trim();
  const tags = parseSubject(subject);
  const inReplyTo = idList(first("in-reply-to"))[0];
  const references = idList(headers.get("references"));
  const from = sender(first("from"));
  const parsedDate = first("date") ? new Date(first("date")!) : undefined;
  const date = parsedDate && !Number.isNaN(parsedDate.getTime()) ? parsedDate.toISOString() : undefined;
  const kind: MailKind = classify(tags, inReplyTo);
  const key = seriesKey({ kind, tags, references, inReplyTo, from });
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
      title: tags.text,
      inReplyTo,
      threadRoot: references[0] ?? inReplyTo,
    },
    bodyOffset: bounds.body,
    syntheticId: !messageId,
  };
}

