// Reads what the store needs to know of every message (Message-ID, subject,
// sender, date, threading) from the raw header block alone, so that the many
// messages that never need a review skip full MIME parsing. Encoded words
// are decoded by libmime, addresses parsed by nodemailer's addressparser.
import addressparser from "nodemailer/lib/addressparser";
import { decodeEncodedWords } from "../mail/encoded-words.js";
import { inBodyFrom } from "../mail/in-body-from.js";
import { classify, firstId, messageIdOf, syntheticMessageId } from "../mail/message-ids.js";
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

const LF_LF = Buffer.from("\n\n");
const CRLF_CRLF = Buffer.from("\r\n\r\n");
const CR = 0x0d;

function headerEnd(bytes: Buffer): { end: number; body: number } | undefined {
  const lf = bytes.indexOf(LF_LF);
  // A CRLF header end can only come before the first LF LF, and only if a CR does: most mail has none.
  const crlf = lf < 0 ? bytes.indexOf(CRLF_CRLF) : lf > 0 && bytes.lastIndexOf(CR, lf) >= 0 ? bytes.subarray(0, lf + 1).indexOf(CRLF_CRLF) : -1;
  if (lf < 0 && crlf < 0) return undefined;
  if (crlf >= 0) return { end: crlf, body: crlf + 4 };
  return { end: lf, body: lf + 2 };
}

function decode(value: string | undefined): string {
  return value ? decodeEncodedWords(value) : "";
}

/** The headers the store needs; everything else in the block is skipped unread. */
const WANTED = new Set(["message-id", "subject", "from", "date", "in-reply-to", "references"]);
/** Their first letters, either case: a line starting with any other byte is passed over. */
const FIRST_LETTER = new Uint8Array(256);
for (const c of "msfdir") FIRST_LETTER[c.charCodeAt(0)] = FIRST_LETTER[c.toUpperCase().charCodeAt(0)] = 1;
/** Their lengths: a name of any other length (Received, DKIM-Signature, ...) is passed over without reading it. */
const WANTED_LENGTH = new Uint8Array(32);
for (const name of WANTED) WANTED_LENGTH[name.length] = 1;

/**
 * Collects the wanted headers of the header block bytes[0, end), unfolded.
 * lore mail carries ~90 header lines (Received:, ARC and DKIM blocks):
 * the block is walked as a one-byte (latin1) string, whose offsets are byte
 * offsets; a line is looked at only if its first letter and its name's
 * length can be a wanted header's, and only the wanted values are decoded,
 * as UTF-8 (header values may be raw UTF-8). Decoding and splitting every
 * line dominated a backfill's time. The values are still decoded by libmime.
 */
function wantedHeaders(bytes: Buffer, end: number): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const block = bytes.toString("latin1", 0, end);
  const lineEnd = (from: number) => {
    const lf = block.indexOf("\n", from);
    return lf < 0 ? end : lf;
  };
  // An mbox "From " separator line is not a header.
  let pos = block.startsWith("From ") ? lineEnd(0) + 1 : 0;
  while (pos < end) {
    let next = lineEnd(pos);
    if (FIRST_LETTER[block.charCodeAt(pos)] === 1) {
      const colon = block.indexOf(":", pos);
      let nameEnd = colon;
      while (nameEnd > pos && (block.charCodeAt(nameEnd - 1) === 0x20 || block.charCodeAt(nameEnd - 1) === 0x09)) nameEnd--;
      if (colon > pos && colon <= pos + 20 && colon < next && WANTED_LENGTH[nameEnd - pos] === 1) {
        const name = block.slice(pos, nameEnd).toLowerCase();
        if (WANTED.has(name)) {
          // Continuation lines start with a space or a tab; each joins the value after one space.
          const first = next;
          for (let c = block.charCodeAt(next + 1); next < end && (c === 0x20 || c === 0x09); c = block.charCodeAt(next + 1)) next = lineEnd(next + 1);
          const raw = bytes.toString("utf8", colon + 1, next);
          const cr = raw.indexOf("\r");
          const value = next === first && (cr < 0 || cr === raw.length - 1) ? raw.trim() : raw.replace(/\r/g, "").split("\n").map((part) => part.trim()).join(" ").trim();
          const values = found.get(name);
          if (values) values.push(value);
          else found.set(name, [value]);
        }
      }
    }
    pos = next + 1;
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
  const headers = wantedHeaders(bytes, Math.min(bounds.end, MAX_HEADER_BYTES));
  const first = (name: string) => headers.get(name)?.[0];
  if (!first("message-id") && !first("subject") && !first("from") && !first("date")) return undefined;

  const messageId = messageIdOf(first("message-id"));
  const subject = decode(first("subject")).replace(/\s+/g, " ").trim();
  const tags = parseSubject(subject);
  const inReplyTo = firstId(first("in-reply-to"));
  // Only the first Reference is kept (the thread's root, and the series' key).
  const references = [firstId(headers.get("references"))].filter((id): id is string => id !== undefined);
  const from = sender(first("from"));
  const parsedDate = first("date") ? new Date(first("date")!) : undefined;
  const date = parsedDate && !Number.isNaN(parsedDate.getTime()) ? parsedDate.toISOString() : undefined;
  const kind: MailKind = classify(tags, inReplyTo);
  const key = seriesKey({ kind, tags, references, inReplyTo, from });
  // The author a patch's versions are tracked by: its in-body From (only the body's first lines are read), else From.
  const author = kind === "patch" ? (inBodyFrom(bytes.toString("utf8", bounds.body, Math.min(bytes.length, bounds.body + 2048))) ?? from) : from;
  return {
    meta: {
      messageId: messageId ?? syntheticMessageId(bytes),
      subject,
      fromAddress: author?.address || undefined,
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

