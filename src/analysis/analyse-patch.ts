// The analysis of one patch: both sides of every function its reviewed
// files show, run through the path engine with summaries of the functions
// and macros the patch and its series define. Pure: mail in, analyses out.
import { allRows, apiRow, argIndex, mentionsGupApi } from "../api/catalog.js";
import { treeEra, type TreeEra } from "../api/era.js";
import { isExcludedPath, parsePatch, type FileDiff } from "../diff/parse-patch.js";
import type { Mail } from "../mail/types.js";
import { parseTranslation, type Expr } from "./c-ast.js";
import { buildCfg } from "./cfg.js";
import { Engine, callsIn, type AnalysisEnv, type FunctionAnalysis } from "./engine.js";
import { collectSlots, type SlotFacts } from "./field-slots.js";
import type { LineRef } from "./line-ref.js";
import { fileView, type FileView, type FunctionView, type MacroView, type Side } from "./source-view.js";
import type { PathState } from "./state.js";
import { bindStandIns, inferModes, summarise, type StandIn, type Summary } from "./summaries.js";
import { keyOf, stripCasts } from "./values.js";

export interface FileAnalysis {
  path: string;
  file: FileDiff;
  views: Record<Side, FileView>;
  functions: Record<Side, FunctionAnalysis[]>;
}

export interface PatchAnalysis {
  mail: Mail;
  era: TreeEra;
  files: FileAnalysis[];
  env: AnalysisEnv;
  /** Every API name the patch's own hunks use, either side (advice may name them whatever the era). */
  usedNames: ReadonlySet<string>;
  /** Names the patch or its series defines or declares on the new side (functions, prototypes, macros). */
  definedNames: ReadonlySet<string>;
  /** Kconfig lines the series adds (depends on 64BIT...). */
  kconfig: string;
  /** How each side's functions fill and release struct members holding pages. */
  slots: Record<Side, Map<string, SlotFacts>>;
}

/** Where a CFG node's row is in the patch. */
export function lineOf(fa: FunctionAnalysis, node: number): LineRef | undefined {
  const n = fa.cfg.nodes[node];
  if (!n) return undefined;
  const piece = fa.view.pieces[n.piece];
  if (!piece) return undefined;
  const line = piece.lines[n.row - piece.offset];
  if (!line) return undefined;
  return { hunk: piece.hunk.index, status: line.status, newLine: line.newLine, oldLine: line.oldLine, text: line.text };
}

/** The mail's files, parsed once per mail (review, reply and excerpts share them). */
const parsedFiles = new WeakMap<Mail, FileDiff[]>();
export function patchFiles(mail: Mail): FileDiff[] {
  let files = parsedFiles.get(mail);
  if (!files) {
    files = mail.patchText ? parsePatch(mail.patchText) : [];
    parsedFiles.set(mail, files);
  }
  return files;
}

const views = new WeakMap<FileDiff, Partial<Record<Side, FileView>>>();
function viewOf(file: FileDiff, side: Side): FileView {
  let entry = views.get(file);
  if (!entry) {
    entry = {};
    views.set(file, entry);
  }
  return (entry[side] ??= fileView(file, side));
}

/** Functions and macros defined on the new side of the patch and its siblings, by name. */
class Definitions implements AnalysisEnv {
  private readonly functions = new Map<string, FunctionView[]>();
  private readonly macros = new Map<string, MacroView[]>();
  private readonly summaries = new Map<string, Summary | undefined>();
  private readonly inProgress = new Set<string>();
  private readonly parsedMacros = new Map<string, { params: string[]; body: Expr } | undefined>();
  readonly atomic = new Map<string, string>();

  /** Definitions of the patch itself win over its siblings' (a series may move a helper between files). */
  add(view: FileView, own: boolean): void {
    for (const fn of view.functions) if (fn.name && fn.headShown) this.functions.set(fn.name, this.merge(this.functions.get(fn.name), fn, own));
    for (const m of view.macros) this.macros.set(m.name, this.merge(this.macros.get(m.name), m, own));
  }

  private readonly ownNames = new Set<string>();
  private merge<T extends { name?: string }>(list: T[] | undefined, item: T, own: boolean): T[] {
    const name = item.name ?? "";
    if (own && !this.ownNames.has(`${name}`)) {
      this.ownNames.add(name);
      return [item];
    }
    if (!own && this.ownNames.has(name)) return list ?? [];
    return [...(list ?? []), item];
  }

  summaryOf(name: string): Summary | undefined {
    if (this.summaries.has(name)) return this.summaries.get(name);
    const defs = this.functions.get(name);
    // One definition, shown whole; alternatives (#ifdef) or pieces give no summary.
    if (!defs || defs.length !== 1 || !defs[0]!.whole || this.inProgress.has(name)) return undefined;
    this.inProgress.add(name);
    let summary: Summary | undefined;
    try {
      summary = summarise(defs[0]!, this);
    } finally {
      this.inProgress.delete(name);
    }
    this.summaries.set(name, summary && !summary.empty ? summary : undefined);
    return this.summaries.get(name);
  }

  macroOf(name: string): { params: string[]; body: Expr } | undefined {
    if (this.parsedMacros.has(name)) return this.parsedMacros.get(name);
    const defs = this.macros.get(name);
    let out: { params: string[]; body: Expr } | undefined;
    // A macro with one definition that is a single expression; alternatives are left unknown.
    if (defs && defs.length === 1 && !this.functions.has(name)) {
      const body = defs[0]!.body.trim().replace(/;\s*$/, "");
      if (body && !/^(do\b|\{)/.test(body)) {
        const ast = parseTranslation(`void __pinwatch_macro__(void) { (${body}); }`);
        const stmt = ast.functions[0]?.body.items[0];
        if (stmt && stmt.k === "expr") out = { params: defs[0]!.params, body: stmt.e };
      }
    }
    this.parsedMacros.set(name, out);
    return out;
  }

  atomicContextOf(name: string): string | undefined {
    return this.atomic.get(name) ?? apiRow(name)?.atomicContext;
  }

  /** Functions registered as callbacks that run in atomic context (call_rcu(..., fn), bio->bi_end_io = fn). */
  collectCallbacks(view: FileView): void {
    for (const fn of view.functions) {
      for (const piece of fn.pieces) {
        forEachExpr(piece.ast.body, (e) => {
          for (const call of callsIn(e)) {
            const row = call.fn ? apiRow(call.fn) : undefined;
            if (!row?.callback) continue;
            const at = argIndex(row.callback.fnArg, call.args.length);
            const target = at === undefined ? undefined : stripCasts(call.args[at]!);
            const name = target && target.k === "unary" && target.op === "&" ? stripCasts(target.arg) : target;
            if (name?.k === "id") this.atomic.set(name.name, `${row.callback.context}, registered by ${row.name}()`);
          }
          if (e.k === "assign" && e.left.k === "field") {
            const row = apiRow(e.left.field);
            const fn = stripCasts(e.right);
            if (row?.callback && fn.k === "id") this.atomic.set(fn.name, row.callback.context);
          }
        });
      }
    }
  }
}

function forEachExpr(s: import("./c-ast.js").Stmt, visit: (e: Expr) => void): void {
  const stack = [s];
  while (stack.length > 0) {
    const t = stack.pop()!;
    switch (t.k) {
      case "expr": visit(t.e); visitDeep(t.e, visit); break;
      case "decl": for (const v of t.vars) if (v.init) visit(v.init); break;
      case "block": stack.push(...t.items); break;
      case "if": visit(t.test); stack.push(t.then); if (t.else) stack.push(t.else); break;
      case "while": case "do": visit(t.test); stack.push(t.body); break;
      case "for": if (t.init) stack.push(t.init); if (t.test) visit(t.test); if (t.update) visit(t.update); stack.push(t.body); break;
      case "switch": visit(t.test); stack.push(t.body); break;
      case "case": stack.push(...t.items); break;
      case "return": if (t.e) visit(t.e); break;
      case "label": if (t.body) stack.push(t.body); break;
      case "pp-if": stack.push(...t.then, ...t.else); break;
      default: break;
    }
  }
}

/** Assignments nested in expressions (a = b = c, comma lists). */
function visitDeep(e: Expr, visit: (e: Expr) => void): void {
  if (e.k === "comma") for (const i of e.items) visit(i);
}

/** Names of every table row a file's hunks mention, on either side. */
function namesUsed(files: FileDiff[]): Set<string> {
  const names = new Set<string>();
  const rows = new Set(allRows().map((r) => r.name));
  for (const f of files) {
    for (const h of f.hunks) {
      for (const l of h.lines) {
        for (const m of l.text.matchAll(/[A-Za-z_]\w*/g)) if (rows.has(m[0])) names.add(m[0]);
      }
    }
  }
  return names;
}

/** Lines the series adds to Kconfig files. */
function kconfigOf(files: FileDiff[]): string {
  return files
    .filter((f) => /(^|\/)Kconfig[^/]*$/.test(f.path))
    .flatMap((f) => f.hunks.flatMap((h) => h.lines.filter((l) => l.status !== "del").map((l) => l.text)))
    .join("\n");
}

/** The engine over the functions of the series' other patches that touch the API, both sides. */
function runSiblings(files: readonly FileDiff[], defs: Definitions, oldDefs: Definitions): Record<Side, FunctionAnalysis[]>[] {
  return files.map((file, j) => {
    const runs: Record<Side, FunctionAnalysis[]> = { new: [], old: [] };
    for (const side of ["new", "old"] as const) {
      viewOf(file, side).functions.forEach((view, i) => {
        const env = side === "new" ? defs : oldDefs;
        if (!worthRunning(view, env)) return;
        const base = ((SIBLING_FILE_BASE + j) * 1000 + i + (side === "old" ? 500 : 0)) * 1_000_000;
        runs[side].push(new Engine(view, buildCfg(view), env, base).run());
      });
    }
    return runs;
  });
}

const RELEASE_CALL = new RegExp(`(?<![A-Za-z0-9_])(?:${allRows().filter((r) => r.release).map((r) => r.name).join("|")})\\s*\\(`);

/** The file adds a release of the pages in a struct member that another patch of the series fills. */
function releasesMember(file: FileDiff, members: ReadonlySet<string>): boolean {
  if (members.size === 0) return false;
  return file.hunks.some((h) => h.lines.some((l) => l.status === "add" && RELEASE_CALL.test(l.text) &&
    [...members].some((m) => l.text.includes(`->${m}`) || l.text.includes(`.${m}`))));
}

/** Site ids of engines run over the series' other patches start past any reviewed file's. */
const SIBLING_FILE_BASE = 4000;

export interface AnalyseOptions {
  excludePaths: readonly string[];
  /** The other patches of the same posting. */
  series?: readonly Mail[];
}

/** Runs the engine over the functions of the reviewed files, new side and old side. */
export function analysePatch(mail: Mail, options: AnalyseOptions): PatchAnalysis {
  const files = patchFiles(mail).filter((f) => !isExcludedPath(f.path, options.excludePaths));
  const siblings = (options.series ?? []).filter((m) => m !== mail);
  const defs = new Definitions();
  const siblingFiles = siblings.flatMap((m) => patchFiles(m).filter((f) => !isExcludedPath(f.path, options.excludePaths)));
  for (const f of files) {
    const v = viewOf(f, "new");
    defs.add(v, true);
    defs.collectCallbacks(v);
  }
  for (const f of siblingFiles) {
    const v = viewOf(f, "new");
    defs.add(v, false);
    defs.collectCallbacks(v);
  }
  const oldDefs = new Definitions();
  for (const f of files) {
    const v = viewOf(f, "old");
    oldDefs.add(v, true);
    oldDefs.collectCallbacks(v);
  }
  const era = treeEra(mail);
  const touchesGup = (f: FileDiff) => f.hunks.some((h) => h.lines.some((l) => mentionsGupApi(l.text)));
  const seriesTouchesGup = files.some(touchesGup) || siblingFiles.some(touchesGup);
  // Files that touch the API, call a helper of the series that does, or (in a
  // series about the API) build user-memory iterators whose pages GUP will take.
  const siblingRuns = runSiblings(siblingFiles.filter(touchesGup), defs, oldDefs);
  const siblingMembers = new Set([...collectSlots(siblingRuns.flatMap((r) => r.new)).keys()].map((slot) => slot.split(".")[1]!));
  const reviewed = files.filter((f) => touchesGup(f) || callsHelperWithEffects(f, defs) || (seriesTouchesGup && buildsUserIterator(f)) || releasesMember(f, siblingMembers));
  const out: FileAnalysis[] = [];
  let fileIndex = 0;
  for (const file of reviewed) {
    const fa: FileAnalysis = { path: file.path, file, views: { new: viewOf(file, "new"), old: viewOf(file, "old") }, functions: { new: [], old: [] } };
    for (const side of ["new", "old"] as const) {
      const env = side === "new" ? defs : oldDefs;
      fa.views[side].functions.forEach((view, i) => {
        if (!worthRunning(view, env)) return;
        const cfg = buildCfg(view);
        const standIns = new Map<number, StandIn>();
        const bind = view.whole && view.headShown ? (st: PathState, eng: Engine) => bindStandIns(view, st, eng, standIns) : undefined;
        const engine = new Engine(view, cfg, env, (fileIndex * 1000 + i + (side === "old" ? 500 : 0)) * 1_000_000, bind);
        const analysis = engine.run();
        analysis.inferredModes = inferModes(analysis, standIns);
        fa.functions[side].push(analysis);
      });
    }
    out.push(fa);
    fileIndex++;
  }
  const definedNames = new Set<string>();
  for (const f of [...files, ...siblingFiles]) {
    const v = viewOf(f, "new");
    for (const fn of v.functions) if (fn.name && fn.headShown) definedNames.add(fn.name);
    for (const m of v.macros) definedNames.add(m.name);
    for (const p of v.prototypes) definedNames.add(p);
  }
  // Struct members are filled and emptied across the series: its other patches' functions count too.
  const slots = {
    new: collectSlots([...out.flatMap((f) => f.functions.new), ...siblingRuns.flatMap((r) => r.new)]),
    old: collectSlots([...out.flatMap((f) => f.functions.old), ...siblingRuns.flatMap((r) => r.old)]),
  };
  return { mail, era, files: out, env: defs, usedNames: namesUsed(files), definedNames, kconfig: kconfigOf([...files, ...siblingFiles]), slots };
}

/** A function is analysed when it calls something the table or a summary gives an effect. */
function worthRunning(view: FunctionView, env: AnalysisEnv): boolean {
  if (view.name && env.atomicContextOf(view.name)) return true;
  let found = false;
  for (const piece of view.pieces) {
    forEachExpr(piece.ast.body, (e) => {
      if (found) return;
      for (const c of callsIn(e)) {
        if (!c.fn) continue;
        const row = apiRow(c.fn);
        if (row && (row.acquire || row.release || row.map || row.sinks || row.dirty || row.lock || row.sleeps || row.freesContainer || row.iterInit || row.callback || row.guard || row.era?.removed)) found = true;
        else if (!row && (env.summaryOf(c.fn) || env.macroOf(c.fn))) found = true;
      }
    });
    if (found) return true;
  }
  return false;
}

/** The file's new side builds an iov_iter over user memory. */
function buildsUserIterator(file: FileDiff): boolean {
  return viewOf(file, "new").functions.some((fn) => fn.pieces.some((piece) => {
    let found = false;
    forEachExpr(piece.ast.body, (e) => {
      for (const c of callsIn(e)) if (c.fn && apiRow(c.fn)?.iterInit?.backing === "user") found = true;
    });
    return found;
  }));
}

/** The file's hunks call a function the series defines whose summary has an effect. */
function callsHelperWithEffects(file: FileDiff, env: AnalysisEnv): boolean {
  const view = viewOf(file, "new");
  for (const fn of view.functions) {
    for (const piece of fn.pieces) {
      let found = false;
      forEachExpr(piece.ast.body, (e) => {
        for (const c of callsIn(e)) if (c.fn && !apiRow(c.fn) && env.summaryOf(c.fn)) found = true;
      });
      if (found) return true;
    }
  }
  return false;
}

export { keyOf };
