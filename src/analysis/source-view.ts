// Functions rebuilt from a patch's hunks: for each side (new = context +
// added lines, old = context + removed lines) every function the hunks show,
// whole or in pieces. A hunk that starts inside a function body is wrapped in
// a stand-in head so the parser reads statements as statements; what the patch
// does not show (before, between and after pieces) is a gap, an unknown that
// may do anything to what crosses it.
import type { DiffLine, FileDiff, Hunk } from "../diff/parse-patch.js";
import { parseTranslation, type FunctionAst, type MacroDef, type TranslationAst } from "./c-ast.js";

export type Side = "new" | "old";

/** One contiguous part of a function, from one hunk. */
export interface FunctionPiece {
  ast: FunctionAst;
  hunk: Hunk;
  /** The side's lines of the hunk; a row of the AST is lines[row - offset]. */
  lines: DiffLine[];
  offset: number;
  /** The function's head and start are not shown (the hunk begins inside it). */
  startGap: boolean;
  /** Its end is not shown (the hunk ends inside it). */
  endGap: boolean;
}

export interface FunctionView {
  file: string;
  side: Side;
  /** The name, from the definition or (for a piece without its head) from the hunk header. */
  name?: string;
  pieces: FunctionPiece[];
  /** The head (parameters, return type) is shown. */
  headShown: boolean;
  /** Shown whole: no gap before, between or after pieces. */
  whole: boolean;
}

export interface MacroView extends MacroDef {
  file: string;
  side: Side;
}

export interface FileView {
  path: string;
  side: Side;
  functions: FunctionView[];
  macros: MacroView[];
  /** Functions declared by prototypes the side shows. */
  prototypes: string[];
}

/** The stand-in head for a hunk that starts inside a function. */
export const FRAGMENT_NAME = "__pinwatch_fragment__";

/**
 * Brace depth through a text, ignoring comments, strings, characters and
 * preprocessor lines: the lowest depth reached, the final depth, and the depth
 * just before the first `}` in column 0 (kernel style: the end of a function).
 */
function braceProfile(lines: string[]): { min: number; final: number; beforeFunctionEnd?: number; openDo: boolean[] } {
  let depth = 0;
  /** For each brace opened in the text and still open: whether it opened a do-while body. */
  const open: boolean[] = [];
  let min = 0;
  let beforeFunctionEnd: number | undefined;
  let inComment = false;
  for (const line of lines) {
    if (!inComment && /^\s*#/.test(line)) continue;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (inComment) {
        if (c === "*" && line[i + 1] === "/") {
          inComment = false;
          i++;
        }
        continue;
      }
      if (c === "/" && line[i + 1] === "*") {
        inComment = true;
        i++;
      } else if (c === "/" && line[i + 1] === "/") {
        break;
      } else if (c === '"' || c === "'") {
        for (i++; i < line.length && line[i] !== c; i++) if (line[i] === "\\") i++;
      } else if (c === "{") {
        depth++;
        open.push(/\bdo\s*$/.test(line.slice(0, i)));
      } else if (c === "}") {
        if (i === 0 && beforeFunctionEnd === undefined) beforeFunctionEnd = depth;
        depth--;
        open.pop();
        if (depth < min) min = depth;
      }
    }
  }
  return { min, final: depth, beforeFunctionEnd, openDo: open };
}

/** The first line that is code (not blank, not a comment, not a preprocessor line). */
function firstCodeLine(lines: string[]): string | undefined {
  let inComment = false;
  for (const line of lines) {
    const t = line.trim();
    if (inComment) {
      if (t.includes("*/")) inComment = false;
      continue;
    }
    if (t === "" || t.startsWith("//") || t.startsWith("#")) continue;
    if (t.startsWith("/*")) {
      if (!t.includes("*/")) inComment = true;
      continue;
    }
    if (t.startsWith("*")) continue;
    return line;
  }
  return undefined;
}

interface Wrapped {
  text: string;
  /** Lines added before the hunk's first line. */
  offset: number;
  /** The row of the closing suffix, if one was added. */
  suffixRow?: number;
  /** The hunk starts inside a function body. */
  inside: boolean;
}

function wrap(lines: string[], headerFunction: string | undefined): Wrapped {
  const { min, final, beforeFunctionEnd, openDo } = braceProfile(lines);
  const first = firstCodeLine(lines);
  // Kernel style: top-level code starts at column 0; an indented first line, in
  // a hunk git says is in a function, is inside that function's body. So is a
  // first line that is a goto label (`out:`), which kernel style puts at column 0.
  const indented = !!first && (/^[ \t]/.test(first) || /^[A-Za-z_]\w*:(?!:)/.test(first)) && !!headerFunction;
  const inside = min < 0 || indented;
  // Inside a body: enough braces that the first column-0 `}` closes the function,
  // or (no function end shown) the body's own brace plus every block the hunk leaves.
  const open = !inside ? 0 : beforeFunctionEnd !== undefined ? Math.max(1 - beforeFunctionEnd, 1) : Math.max(1 - min, 1);
  const prefix = inside ? [`void ${FRAGMENT_NAME}(void) ${"{".repeat(open)}`] : [];
  const closing = open + final;
  // Close what is still open on one line; a do-while cut before its `while` gets one, so it still parses.
  const closers = openDo.slice(-closing).reverse().map((isDo) => (isDo ? "} while (0);" : "}"));
  while (closers.length < closing) closers.push("}");
  const suffix = closing > 0 ? [closers.join(" ")] : [];
  const all = [...prefix, ...lines, ...suffix];
  return { text: all.join("\n"), offset: prefix.length, suffixRow: suffix.length > 0 ? all.length - 1 : undefined, inside };
}

/** Parsed hunk sides, by text: versions of a series repeat most hunks word for word. */
const parsed = new Map<string, TranslationAst>();
const MAX_CACHED = 512;
const MAX_CACHED_TEXT = 1 << 20;

function parseCached(text: string): TranslationAst {
  const hit = parsed.get(text);
  if (hit) {
    parsed.delete(text);
    parsed.set(text, hit);
    return hit;
  }
  const ast = parseTranslation(text);
  if (text.length <= MAX_CACHED_TEXT) {
    parsed.set(text, ast);
    if (parsed.size > MAX_CACHED) parsed.delete(parsed.keys().next().value!);
  }
  return ast;
}

/** The lines of one side of a hunk. */
export function sideLines(hunk: Hunk, side: Side): DiffLine[] {
  return hunk.lines.filter((l) => (side === "new" ? l.status !== "del" : l.status !== "add"));
}

/** Every function the file's hunks show on one side, pieces of one function joined across hunks. */
export function fileView(file: FileDiff, side: Side): FileView {
  const functions: FunctionView[] = [];
  const macros: MacroView[] = [];
  const prototypes: string[] = [];
  let open: FunctionView | undefined;
  for (const hunk of file.hunks) {
    const lines = sideLines(hunk, side);
    if (lines.length === 0) continue;
    const w = wrap(lines.map((l) => l.text), hunk.headerFunction);
    const ast = parseCached(w.text);
    for (const m of ast.macros) macros.push({ ...m, row: m.row - w.offset, file: file.path, side });
    prototypes.push(...ast.prototypes);
    let firstInHunk = true;
    for (const fn of ast.functions) {
      const fragment = fn.name === FRAGMENT_NAME;
      const endGap = w.suffixRow !== undefined && fn.endRow === w.suffixRow;
      const piece: FunctionPiece = { ast: fn, hunk, lines, offset: w.offset, startGap: fragment, endGap };
      const name = fragment ? hunk.headerFunction : fn.name;
      if (fragment && firstInHunk && open && open.name === name) {
        open.pieces.push(piece);
        open.whole = false;
      } else {
        const view: FunctionView = { file: file.path, side, name, pieces: [piece], headShown: !fragment, whole: !fragment && !endGap };
        functions.push(view);
      }
      firstInHunk = false;
      open = endGap ? functions[functions.length - 1] : undefined;
    }
    if (ast.functions.length === 0) open = undefined;
  }
  return { path: file.path, side, functions, macros, prototypes };
}
