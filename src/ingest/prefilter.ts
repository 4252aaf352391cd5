// The raw-byte prefilter: most list mail touches no GUP symbol, and only a
// patch whose diff lines name one (or whose body is encoded, so the bytes
// cannot tell) is worth full MIME parsing and review. One pass over the body
// looks for all the catalog's literal anchors at once; only the lines that
// hold one are read by the catalog's own expression. (A Buffer.indexOf per
// anchor read every body nine times, about twice the cost.)
import libqp from "libqp";
import { mentionsGupApi, SELECTED_NAME_ANCHORS } from "../api/catalog.js";

/** Any anchor; the anchors are plain identifier fragments, nothing to escape. */
const ANY_ANCHOR = new RegExp(SELECTED_NAME_ANCHORS.join("|"), "g");

const ENCODED = /content-transfer-encoding:\s*"?(base64|quoted-printable)/i;

/**
 * True when a patch needs the full review: a diff line names a GUP symbol,
 * before or after undoing quoted-printable, or base64 hides the text.
 */
export function needsReview(bytes: Buffer, bodyOffset: number): boolean {
  if (namesGupOnDiffLine(bytes, bodyOffset)) return true;
  const encoding = transferEncoding(bytes, bodyOffset);
  if (!encoding) return false;
  // Quoted-printable is cheap to undo here: soft line breaks and =XX escapes
  // are what can hide a symbol from the byte scan. Base64 goes to the parser.
  if (encoding === "quoted-printable") return namesGupOnDiffLine(libqp.decode(bytes.toString("latin1", bodyOffset)), 0);
  return true;
}

const MULTIPART = /^content-type:\s*multipart\//im;

/**
 * How the body, or the first encoded part, is transfer-encoded. A single-part
 * message says so in its header block; part headers, the only other place an
 * encoding is declared, exist only in multipart mail. Reading just the header
 * block for the rest is exact, and keeps a diff that quotes such a header from
 * counting as encoded.
 */
export function transferEncoding(bytes: Buffer, bodyOffset: number): "base64" | "quoted-printable" | undefined {
  const head = bytes.toString("latin1", 0, bodyOffset);
  const scope = MULTIPART.test(head) ? bytes.toString("latin1") : head;
  return ENCODED.exec(scope)?.[1]?.toLowerCase() as "base64" | "quoted-printable" | undefined;
}

/** A diff line (+, - or context, not a ---/+++ file line) of the body names a GUP symbol. */
function namesGupOnDiffLine(bytes: Buffer, bodyOffset: number): boolean {
  // latin1: one byte, one character, so nothing is decoded; the names are ASCII.
  const text = bytes.toString("latin1", bodyOffset);
  ANY_ANCHOR.lastIndex = 0;
  for (let found = ANY_ANCHOR.exec(text); found !== null; found = ANY_ANCHOR.exec(text)) {
    const start = text.lastIndexOf("\n", found.index) + 1;
    let end = text.indexOf("\n", found.index);
    if (end < 0) end = text.length;
    const lead = text.charCodeAt(start);
    if (lead === 0x2b || lead === 0x2d || lead === 0x20) {
      // '+', '-', ' '
      const line = text.slice(start, end);
      if (!line.startsWith("+++ ") && !line.startsWith("--- ") && mentionsGupApi(line)) return true;
    }
    // The rest of this line has been read.
    ANY_ANCHOR.lastIndex = end;
  }
  return false;
}
