// The raw-byte prefilter: most list mail touches no GUP symbol, and only a
// patch whose diff lines name one (or whose body is encoded, so the bytes
// cannot tell) is worth full MIME parsing and review. Buffer.indexOf on a
// few literal anchors is far cheaper than a regular expression over every
// message.
import libqp from "libqp";
import { mentionsGupApi, SELECTED_NAME_ANCHORS } from "../api/catalog.js";

const ANCHORS = SELECTED_NAME_ANCHORS.map((a) => Buffer.from(a, "latin1"));

const ENCODED = /content-transfer-encoding:\s*"?(base64|quoted-printable)/i;
const NEWLINE = 0x0a;

/** The line of `bytes` around `at` is a diff line (+, - or context) that names a GUP symbol. */
function onDiffLine(bytes: Buffer, at: number): boolean {
  const start = bytes.lastIndexOf(NEWLINE, at) + 1;
  let end = bytes.indexOf(NEWLINE, at);
  if (end < 0) end = bytes.length;
  const lead = bytes[start];
  if (lead !== 0x2b && lead !== 0x2d && lead !== 0x20) return false; // '+', '-', ' '
  const line = bytes.toString("latin1", start, end);
  if (line.startsWith("+++ ") || line.startsWith("--- ")) return false;
  return mentionsGupApi(line);
}

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

function namesGupOnDiffLine(bytes: Buffer, bodyOffset: number): boolean {
  for (const anchor of ANCHORS) {
    let at = bytes.indexOf(anchor, bodyOffset);
    while (at >= 0) {
      if (onDiffLine(bytes, at)) return true;
      const next = bytes.indexOf(NEWLINE, at);
      if (next < 0) break;
      at = bytes.indexOf(anchor, next);
    }
  }
  return false;
}
