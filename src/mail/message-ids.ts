// Message-ID lists and the kind of a message from its subject tags: what
// both the header scan of every message and the full parse of a patch need,
// kept apart from mailparser so the scan loads none of it.
import { createHash } from "node:crypto";
import type { parseSubject } from "./parse-subject.js";
import type { MailKind } from "./types.js";

/** A stable made-up Message-ID for a message that has none. */
export function syntheticMessageId(bytes: Buffer): string {
  return `missing-id-${createHash("sha1").update(bytes).digest("hex").slice(0, 16)}@pinwatch.invalid`;
}

export function stripAngles(id: string): string {
  return id.trim().replace(/^<+/, "").replace(/>+$/, "").trim();
}

/** A bare `local@domain` token: what broken mailers write instead of `<local@domain>`. */
const BARE_ID = /^[^\s@<>()",;]+@[^\s@<>()",;]+$/;

/**
 * The msg-ids of a Message-ID, In-Reply-To or References value, read as
 * RFC 5322 (3.6.4, 4.5.4) says: raw, never decoded as encoded words (they
 * are not allowed there: decoding `=?...?=` forges ids such as `<Bcc:>`);
 * comments and quoted phrases skipped; folding and other white space inside
 * `<...>` dropped (it is not part of the id). Without any `<...>`, bare
 * `local@domain` tokens are taken. Duplicates are dropped, order kept.
 */
export function idList(value: string | readonly string[] | undefined): string[] {
  return scanIds(value, false);
}

/** The first msg-id of a value, as idList(value)[0] would be, without reading past it (References can be long). */
export function firstId(value: string | readonly string[] | undefined): string | undefined {
  return scanIds(value, true)[0];
}

/** JavaScript's \s, by code unit: called once per character of every id header, where a regular expression per character cost more than the rest of the scan. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0xa0 && (c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff));
}

function scanIds(value: string | readonly string[] | undefined, firstOnly: boolean): string[] {
  if (!value) return [];
  const text = typeof value === "string" ? value : value.join(" ");
  const ids: string[] = [];
  const bare: string[] = [];
  let wordStart = -1;
  const endWord = (end: number) => {
    if (wordStart >= 0) {
      const word = text.slice(wordStart, end);
      if (BARE_ID.test(word) && !word.startsWith("=?")) bare.push(word);
    }
    wordStart = -1;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28) {
      // (
      endWord(i);
      i = skipComment(text, i);
    } else if (c === 0x22) {
      // "
      endWord(i);
      i = skipQuoted(text, i);
    } else if (c === 0x3c) {
      // <
      endWord(i);
      const { id, end } = readAngle(text, i);
      if (id) {
        // An id in angle brackets comes before every bare one: the first found is the first of the list.
        if (firstOnly) return [id];
        ids.push(id);
      }
      i = end;
    } else if (isSpace(c)) endWord(i);
    else if (wordStart < 0) wordStart = i;
  }
  endWord(text.length);
  return [...new Set(ids.length > 0 ? ids : bare)];
}

/** The id of a Message-ID header: its first msg-id, or (like public-inbox) the whole value when it has no `<...>`. */
export function messageIdOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const first = firstId(value);
  if (first) return first;
  const whole = stripAngles(value).replace(/\s+/g, "");
  return whole || undefined;
}

function skipComment(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i;
  }
  return text.length;
}

function skipQuoted(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}

/** Reads `<...>` from `start`; white space outside quoted parts is folding, not id. */
function readAngle(text: string, start: number): { id: string; end: number } {
  // Most ids are written plainly: `<local@domain>`, nothing to drop inside.
  const close = text.indexOf(">", start + 1);
  if (close > start) {
    const plain = text.slice(start + 1, close);
    if (!/[<"\s]/.test(plain)) return { id: plain, end: close };
  }
  let id = "";
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === ">") return { id, end: i };
    // An unclosed `<` followed by another: the id starts again there.
    if (c === "<") return readAngle(text, i);
    if (c === '"') {
      const close = skipQuoted(text, i);
      id += text.slice(i, close + 1);
      i = close;
    } else if (!isSpace(c.charCodeAt(0))) id += c;
  }
  // Never closed: not an id.
  return { id: "", end: text.length };
}

export function classify(tags: ReturnType<typeof parseSubject>, inReplyTo: string | undefined): MailKind {
  if (tags.isReply) return "reply";
  if (tags.isPull) return "other";
  if (tags.isPatch) {
    if (tags.index === 0) return "cover";
    return "patch";
  }
  // Untagged: a reply that dropped "Re:", or list chatter with or without a
  // diff (pull requests, pasted snippets): never a patch we review.
  return inReplyTo ? "reply" : "other";
}
