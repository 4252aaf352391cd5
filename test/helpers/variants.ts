// Meaning-preserving rewrites of a rule test's diff, generated rather than
// written by hand: the variant harness (rule-tester.ts) runs every case of
// every rule again through each one that applies, and a finding about what
// code does to pages must survive them all. Each rewrite changes the diff
// consistently on every side (added, context and removed lines) so that what
// the patch introduces stays the same, and returns undefined when it finds
// nothing to rewrite.
import { apiRow, argIndex, equivalentRows } from "../../src/api/catalog.js";

export interface Variant {
  kind: string;
  apply(diff: string): string | undefined;
}

/** Diff lines as [prefix, code] pairs, headers kept whole. */
interface Line {
  prefix: string;
  code: string;
}

function split(diff: string): Line[] {
  return diff.split("\n").map((l) => (/^[ +-]/.test(l) && !/^(---|\+\+\+) /.test(l) ? { prefix: l[0]!, code: l.slice(1) } : { prefix: "", code: l }));
}

/** Joins lines back and recomputes each hunk header's counts (rewrites may add lines). */
function join(lines: Line[]): string {
  const out = lines.map((l) => l.prefix + l.code);
  for (let i = 0; i < lines.length; i++) {
    const m = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@(.*)$/.exec(lines[i]!.prefix === "" ? lines[i]!.code : "");
    if (!m) continue;
    let oldCount = 0;
    let newCount = 0;
    for (let j = i + 1; j < lines.length && lines[j]!.prefix !== ""; j++) {
      if (lines[j]!.prefix !== "+") oldCount++;
      if (lines[j]!.prefix !== "-") newCount++;
    }
    out[i] = `@@ -${m[1]},${oldCount} +${m[2]},${newCount} @@${m[3]}`;
  }
  return out.join("\n");
}

const isCode = (l: Line) => l.prefix !== "";

/** The same rewrite of the code on every side, or undefined when nothing changed. */
function rewriteCode(diff: string, f: (code: string) => string): string | undefined {
  const lines = split(diff);
  let changed = false;
  for (const l of lines) {
    if (!isCode(l)) continue;
    const code = f(l.code);
    if (code !== l.code) {
      l.code = code;
      changed = true;
    }
  }
  return changed ? join(lines) : undefined;
}

const KEYWORDS = new Set([
  "if", "else", "for", "while", "do", "return", "goto", "break", "continue", "switch", "case", "default", "sizeof",
  "struct", "union", "enum", "typedef", "static", "inline", "const", "volatile", "extern", "unsigned", "signed",
  "int", "long", "short", "char", "void", "bool", "true", "false", "NULL", "u8", "u16", "u32", "u64", "s8", "s16",
  "s32", "s64", "__u32", "__u64", "float", "double", "register", "auto", "likely", "unlikely",
]);

/** Local-looking names: lower case, never called, never a member or a tag, not a type or an API name. */
function variableNames(diff: string): string[] {
  const code = split(diff).filter(isCode).map((l) => l.code.replace(/\/\*.*?\*\/|\/\/.*$|"(?:[^"\\]|\\.)*"/g, " ")).join("\n");
  const header = /@@[^@]*@@(.*)/.exec(diff)?.[1] ?? "";
  const all = `${header}\n${code}`;
  const names = new Set<string>();
  for (const m of all.matchAll(/(?<![\w.>])[a-z_][a-z0-9_]*\b/g)) names.add(m[0]);
  const excluded = (n: string) =>
    KEYWORDS.has(n) || n.endsWith("_t") || !!apiRow(n) || n.length < 1 ||
    new RegExp(`\\b${n}\\s*\\(`).test(all) || new RegExp(`(->|\\.)\\s*${n}\\b`).test(all) ||
    new RegExp(`\\b(struct|union|enum)\\s+${n}\\b`).test(all) || new RegExp(`\\b${n}\\s+\\**\\s*[A-Za-z_]`).test(all) ||
    new RegExp(`^\\s*${n}\\s*:`, "m").test(all);
  return [...names].filter((n) => !excluded(n));
}

function rename(diff: string): string | undefined {
  const names = variableNames(diff);
  if (names.length === 0) return undefined;
  const map = new Map(names.map((n) => [n, `${n}_v`]));
  const swap = (text: string) => text.replace(/(?<![\w.>])[a-z_][a-z0-9_]*\b/g, (w) => map.get(w) ?? w);
  const lines = split(diff);
  let changed = false;
  for (const l of lines) {
    const isHeader = !isCode(l) && l.code.startsWith("@@");
    if (!isCode(l) && !isHeader) continue;
    // Strings and comments keep their words.
    const code = isHeader
      ? l.code.replace(/(@@[^@]*@@)(.*)/, (_, a: string, b: string) => a + swap(b))
      : l.code.replace(/(\/\*.*?\*\/|\/\/.*$|"(?:[^"\\]|\\.)*")|([^"/]+|\/)/g, (m, kept: string | undefined) => (kept ? m : swap(m)));
    if (code !== l.code) {
      l.code = code;
      changed = true;
    }
  }
  return changed ? join(lines) : undefined;
}

/**
 * Every return nested in a block (an error branch) becomes a goto to a label
 * of its own at the function's end, which returns the same value.
 */
function returnToGoto(diff: string): string | undefined {
  const lines = split(diff);
  let labels = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.prefix !== "+" || !/^\s*(static\s+)?[a-z_].*\)\s*$/.test(lines[i]!.code) || /^\s/.test(lines[i]!.code)) continue;
    // A definition in column 0: find its closing `}` among the added lines.
    let end = -1;
    for (let j = i + 1; j < lines.length && lines[j]!.prefix === "+"; j++) {
      if (/^}\s*$/.test(lines[j]!.code)) {
        end = j;
        break;
      }
    }
    if (end < 0) continue;
    const moved: string[] = [];
    for (let j = i + 1; j < end; j++) {
      const ret = /^(\t\t+)return\b([^;]*);\s*$/.exec(lines[j]!.code);
      if (!ret) continue;
      const label = `out_variant${labels++}`;
      lines[j]!.code = `${ret[1]}goto ${label};`;
      moved.push(`${label}:`, `\treturn${ret[2]};`);
    }
    lines.splice(end, 0, ...moved.map((code) => ({ prefix: "+", code })));
    i = end + moved.length;
  }
  return labels > 0 ? join(lines) : undefined;
}

/** Balanced-parenthesis condition of `if (` starting at `open`. */
function conditionEnd(code: string, open: number): number {
  let depth = 0;
  for (let k = open; k < code.length; k++) {
    if (code[k] === "(") depth++;
    else if (code[k] === ")" && --depth === 0) return k;
  }
  return -1;
}

function wrapUnlikely(code: string): string {
  const m = /\bif \(/.exec(code);
  if (!m) return code;
  const open = m.index + 3;
  const close = conditionEnd(code, open);
  if (close < 0) return code;
  const cond = code.slice(open + 1, close);
  if (/^\s*(un)?likely\(/.test(cond)) return code;
  return `${code.slice(0, open + 1)}unlikely(${cond})${code.slice(close)}`;
}

/** `T x = call(...);` split into a declaration and an assignment. */
function splitDeclaration(diff: string): string | undefined {
  const lines = split(diff);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.prefix !== "+") continue;
    const m = /^(\s+)((?:struct\s+)?[A-Za-z_]\w*(?:\s+|\s*\*+\s*))([a-z_]\w*)\s*=\s*([a-z_]\w*\(.*\));\s*$/.exec(l.code);
    if (!m || KEYWORDS.has(m[3]!) || /^\s*return\b/.test(m[2]!)) continue;
    l.code = `${m[1]}${m[2]!.trimEnd()}${m[2]!.endsWith("*") ? "" : " "}${m[3]};`.replace(/\*\s+(\w+;)$/, "*$1");
    lines.splice(i + 1, 0, { prefix: "+", code: `${m[1]}${m[3]} = ${m[4]};` });
    return join(lines);
  }
  return undefined;
}

/** Top-level arguments of a call's argument text (commas inside parentheses kept). */
function splitArgs(text: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of text) {
    if (ch === "(" || ch === "[") depth++;
    if (ch === ")" || ch === "]") depth--;
    if (depth < 0) return undefined;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Flags that are constants (FOLL_ names, numbers, |) stay in the helper; anything else becomes a parameter. */
const constantFlags = (text: string) => /^[A-Z0-9_|\s()]+$/.test(text);

/**
 * The first added statement that calls an API row with the effect `pick`
 * selects, moved into a helper the patch defines just before the code. Only
 * for diffs of whole functions (the first added line opens a definition at
 * column 0), where a new function can go in front.
 */
function moveIntoHelper(diff: string, pick: "acquire" | "release"): string | undefined {
  const lines = split(diff);
  const first = lines.findIndex((l) => l.prefix === "+" && l.code.trim() !== "");
  if (first < 0 || !/^(static\s+)?[a-z_]/.test(lines[first]!.code)) return undefined;
  for (const l of lines) {
    if (l.prefix !== "+") continue;
    const m = /^(\s+)((?:[a-z_][\w>.-]*\s*=\s*)|return\s+)?([a-z_]\w*)\((.*)\);\s*$/.exec(l.code);
    if (!m) continue;
    const row = apiRow(m[3]!);
    const args = splitArgs(m[4]!);
    if (!row || !args) continue;
    const params: string[] = [];
    const inner: string[] = [];
    const passed: string[] = [];
    if (pick === "release") {
      const rel = row.release;
      if (!rel || m[2] || !["page", "array"].includes(rel.shape)) continue;
      const target = argIndex(rel.target, args.length);
      args.forEach((a, i) => {
        params.push(i === target ? (rel.shape === "page" ? `struct page *v${i}` : `struct page **v${i}`) : `unsigned long v${i}`);
        inner.push(`v${i}`);
        passed.push(a);
      });
      l.code = `${m[1]}variant_release(${passed.join(", ")});`;
      lines.splice(first, 0, ...["static void variant_release(" + params.join(", ") + ")", "{", `\t${row.name}(${inner.join(", ")});`, "}", ""].map((code) => ({ prefix: "+", code })));
      return join(lines);
    }
    const acq = row.acquire;
    if (!acq || !("arg" in acq.pages) || acq.pages.form === "frame-vector" || acq.iter !== undefined) continue;
    const form = acq.pages.form;
    const pagesAt = argIndex(acq.pages.arg, args.length);
    const flagsAt = argIndex(acq.flags, args.length);
    args.forEach((a, i) => {
      if (i === flagsAt && constantFlags(a)) {
        inner.push(a);
        return;
      }
      const type = i !== pagesAt ? "unsigned long " : form === "array-ref" ? "struct page ***" : "struct page **";
      params.push(`${type}v${i}`);
      inner.push(`v${i}`);
      passed.push(a);
    });
    l.code = `${m[1]}${m[2] ?? ""}variant_acquire(${passed.join(", ")});`;
    lines.splice(first, 0, ...["static long variant_acquire(" + params.join(", ") + ")", "{", `\treturn ${row.name}(${inner.join(", ")});`, "}", ""].map((code) => ({ prefix: "+", code })));
    return join(lines);
  }
  return undefined;
}

export const VARIANTS: Variant[] = [
  { kind: "acquisition moved into a helper of the patch", apply: (d) => moveIntoHelper(d, "acquire") },
  { kind: "release moved into a helper of the patch", apply: (d) => moveIntoHelper(d, "release") },
  { kind: "rename locals", apply: rename },
  { kind: "nested returns to gotos to labels", apply: returnToGoto },
  { kind: "condition wrapped in unlikely()", apply: (d) => rewriteCode(d, wrapUnlikely) },
  { kind: "!x written x == NULL", apply: (d) => rewriteCode(d, (c) => c.replace(/\bif \(!([a-z_]\w*)\)/g, "if ($1 == NULL)")) },
  { kind: "loop increment ++i", apply: (d) => rewriteCode(d, (c) => c.replace(/(\bfor \([^;]*;[^;]*;\s*)([a-z_]\w*)\+\+\)/g, "$1++$2)")) },
  { kind: "compound_head(p) as &page_folio(p)->page", apply: (d) => rewriteCode(d, (c) => c.replace(/\bcompound_head\(([^()]*(?:\([^()]*\))?[^()]*)\)/g, "&page_folio($1)->page")) },
  { kind: "declaration split from its initialiser", apply: splitDeclaration },
  {
    kind: "equivalent API from the effects table",
    apply: (d) => rewriteCode(d, (c) => c.replace(/\b([a-z_]\w*)(?=\s*\()/g, (name) => equivalentRows(name)[0]?.name ?? name)),
  },
];
