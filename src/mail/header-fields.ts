// Writes header fields the way RFC 5322 (2.1.1, 2.2.3) and RFC 2047 ask:
// lines folded at white space to stay under 78 characters wherever the
// value can be broken, never longer than 998; text that is not ASCII, or a
// word too long to fold, goes into encoded words (libmime), which may be
// folded between. Values come from mail: a line break in one never ends
// the field (no header injection).
import libmime from "libmime";
import type { Address } from "./types.js";

/** A line's length (without CRLF) that folding aims under, where the value allows. */
export const SOFT_LINE = 76;
/** RFC 5322's limit on any line, without CRLF. */
export const HARD_LINE = 998;
/** Bytes of text per encoded word: with its =?UTF-8?Q?...?= frame it stays under 76 characters. */
const WORD_TEXT_BYTES = 52;

const flat = (text: string) => text.replace(/[\r\n\t]+/g, " ");
// eslint-disable-next-line no-control-regex
const isPrintableAscii = (text: string) => /^[\x20-\x7e]*$/.test(text);
const longestWord = (text: string) => Math.max(0, ...text.split(" ").map((w) => w.length));

/**
 * Unstructured text (a Subject): as it is when it is printable ASCII with
 * words that fold; otherwise encoded words. Only the span that needs it is
 * encoded, unless a word is too long to fold: then all of it, so decoding
 * gives back every space exactly.
 */
export function encodeUnstructured(text: string): string {
  const value = flat(text);
  if (longestWord(value) > SOFT_LINE - 12) return libmime.encodeWord(value, "Q", WORD_TEXT_BYTES);
  if (isPrintableAscii(value)) return value;
  const encoded = libmime.encodeWords(value, "Q", WORD_TEXT_BYTES);
  return longestWord(encoded) > SOFT_LINE - 12 ? libmime.encodeWord(value, "Q", WORD_TEXT_BYTES) : encoded;
}

/** `Name <address>`, the name as atoms, a quoted string or encoded words (never folded inside a word). */
export function formatAddress(a: Address): string {
  const name = flat(a.name ?? "").trim();
  if (!name) return `<${a.address}>`;
  if (!isPrintableAscii(name) || longestWord(name) > SOFT_LINE - 20) return `${libmime.encodeWord(name, "Q", WORD_TEXT_BYTES)} <${a.address}>`;
  const phrase = /^[A-Za-z0-9 !#$%&'*+\-/=?^_`{|}~]+$/.test(name) ? name : `"${name.replace(/(["\\])/g, "\\$1")}"`;
  return `${phrase} <${a.address}>`;
}

/**
 * `Name: value`, folded at its spaces: each line under SOFT_LINE where a
 * space allows it, the value starting on the next line when its first word
 * does not fit beside the name. A word longer than HARD_LINE (nothing pinwatch
 * writes, short of a hostile address) is cut, so no line ever passes it.
 */
export function foldHeader(name: string, value: string): string {
  const lines: string[] = [];
  let line = `${name}:`;
  let hasWord = false;
  for (const word of flat(value).split(" ")) {
    if (word === "") continue;
    if (line.length + 1 + word.length <= SOFT_LINE || (!hasWord && line.length + 1 + word.length <= HARD_LINE && 1 + word.length > SOFT_LINE)) {
      line += ` ${word}`;
    } else {
      lines.push(line);
      line = ` ${word}`;
    }
    hasWord = true;
  }
  lines.push(line);
  return lines.flatMap(cutToHardLimit).join("\r\n");
}

function cutToHardLimit(line: string): string[] {
  if (line.length <= HARD_LINE) return [line];
  const pieces: string[] = [];
  for (let i = 0; i < line.length; i += HARD_LINE - 1) pieces.push((i === 0 ? "" : " ") + line.slice(i, i + HARD_LINE - 1));
  return pieces;
}

/** An address list (To, Cc) folded between addresses and inside names. */
export function foldAddresses(name: string, addresses: readonly Address[]): string {
  return foldHeader(name, addresses.map(formatAddress).join(", "));
}

/** Message-IDs as `<id>` folded between ids; an id too long for any line is left out (it could not be written whole). */
export function foldMessageIds(name: string, ids: readonly string[]): string {
  const fit = ids.filter((id) => name.length + id.length + 4 <= HARD_LINE);
  return fit.length ? foldHeader(name, fit.map((id) => `<${id}>`).join(" ")) : "";
}
