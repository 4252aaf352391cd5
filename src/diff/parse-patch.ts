// Parses a patch's diff text with parse-diff into files and hunks whose
// lines carry their old and new line numbers, and picks the hunks that touch
// the GUP/pin API.
import parseDiff from "parse-diff";
import { mentionsGupApi } from "../api/catalog.js";

export type LineStatus = "add" | "del" | "ctx";

export interface DiffLine {
  status: LineStatus;
  /** The source line without its +/-/space prefix. */
  text: string;
  /** Line number in the new file (add and ctx lines). */
  newLine?: number;
  /** Line number in the old file (del and ctx lines). */
  oldLine?: number;
}

export interface Hunk {
  /** 0-based position in the file's hunk list. */
  index: number;
  header: string;
  /** The enclosing function git printed after @@, when it names one. */
  headerFunction?: string;
  oldStart: number;
  newStart: number;
  lines: DiffLine[];
}

export interface FileDiff {
  /** The new path (or the old one for a deleted file). */
  path: string;
  oldPath?: string;
  isNew: boolean;
  isDeleted: boolean;
  hunks: Hunk[];
}

/** The function name in a hunk header's context text, if it is a function. */
export function functionFromHeader(header: string): string | undefined {
  const context = /^@@[^@]*@@\s?(.*)$/.exec(header)?.[1] ?? "";
  const m = /([A-Za-z_]\w*)\s*\(/.exec(context);
  if (!m) return undefined;
  if (/^(if|for|while|switch|return|sizeof|defined)$/.test(m[1]!)) return undefined;
  return m[1];
}

function cleanPath(p: string | undefined): string | undefined {
  if (!p || p === "/dev/null") return undefined;
  return p.replace(/^[ab]\//, "").trim();
}

export function parsePatch(patchText: string): FileDiff[] {
  const text = patchText.replace(/\r\n/g, "\n");
  const files: FileDiff[] = [];
  for (const f of parseDiff(text)) {
    const path = cleanPath(f.to) ?? cleanPath(f.from);
    if (!path || f.chunks.length === 0) continue;
    const hunks: Hunk[] = f.chunks.map((chunk, index) => ({
      index,
      header: chunk.content,
      headerFunction: functionFromHeader(chunk.content),
      oldStart: chunk.oldStart,
      newStart: chunk.newStart,
      lines: chunk.changes
        .filter((c) => !c.content.startsWith("\\"))
        .map((c): DiffLine => {
        const body = c.content.slice(1);
        if (c.type === "add") return { status: "add", text: body, newLine: c.ln };
        if (c.type === "del") return { status: "del", text: body, oldLine: c.ln };
        return { status: "ctx", text: body, oldLine: c.ln1, newLine: c.ln2 };
      }),
    }));
    files.push({ path, oldPath: cleanPath(f.from), isNew: !!f.new, isDeleted: !!f.deleted, hunks });
  }
  return files;
}

export function hunkTouchesGup(hunk: Hunk): boolean {
  return hunk.lines.some((l) => mentionsGupApi(l.text));
}

const globs = new Map<string, RegExp>();
const SPECIAL = new Set([".", "+", "?", "^", "$", "{", "}", "(", ")", "|", "[", "]", "\\"]);
const literal = (text: string) => [...text].map((c) => (SPECIAL.has(c) ? `\\${c}` : c)).join("");
// A "*" matches within one path component, "**" followed by a slash any number of directories.
function globOf(pattern: string): RegExp {
  let re = globs.get(pattern);
  if (!re) {
    const body = pattern.split("**/").map((part) => part.split("*").map(literal).join("[^/]*")).join("(?:.*/)?");
    re = new RegExp(`^${body}$`);
    globs.set(pattern, re);
  }
  return re;
}

/** The path is a directory prefix (ending in /), an exact path, or a glob with * among the patterns. */
export function isExcludedPath(path: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.includes("*") ? globOf(p).test(path) : p.endsWith("/") ? path.startsWith(p) : path === p));
}
