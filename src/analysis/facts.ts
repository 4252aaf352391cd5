// C facts from the hunks of one file: every call (with its arguments, the
// variable its result is stored in, its enclosing conditions and loop, its
// function) and every assignment, on the new side (context + added lines)
// and the old side (context + removed lines). Rules read these facts, never
// the raw text, so comments and strings can't trigger them.
import type { DiffLine, FileDiff, Hunk, LineStatus } from "../diff/parse-patch.js";
import { parseC, type Node, type Tree } from "./c-parser.js";

export type Side = "new" | "old";

export interface LineRef {
  hunk: number;
  status: LineStatus;
  newLine?: number;
  oldLine?: number;
  text: string;
}

export interface InnerCall {
  name: string;
  /** Root variable of each argument ("pages" for "&pages[i]"). */
  argRoots: (string | null)[];
}

export interface Condition {
  text: string;
  branch: "then" | "else";
}

export interface CallFact {
  side: Side;
  name: string;
  args: string[];
  argRoots: (string | null)[];
  /** Calls nested inside each argument, e.g. page_address(page) in memcpy's dst. */
  argCalls: InnerCall[][];
  line: LineRef;
  fn?: string;
  /** Root of the variable the result is assigned to. */
  assignedTo?: string;
  conditions: Condition[];
  /** Identifies the innermost enclosing loop, when there is one. */
  loop?: string;
  /** The condition of every enclosing loop, innermost first ("pages && i < n"). */
  loopConditions: string[];
  /** Index in source order within its side; used for "before"/"after". */
  order: number;
}

/** A return or goto: where control leaves the straight-line code. */
export interface ExitFact {
  side: Side;
  kind: "return" | "goto";
  /** The returned expression, or the goto label. */
  value: string;
  line: LineRef;
  fn?: string;
  conditions: Condition[];
  loop?: string;
  order: number;
}

/** A function definition seen whole in the hunks. */
export interface FunctionFact {
  side: Side;
  name: string;
  line: LineRef;
}

/** A local variable declared inside a function body. */
export interface LocalFact {
  side: Side;
  name: string;
  fn?: string;
  line: LineRef;
}

export interface AssignFact {
  side: Side;
  lhs: string;
  /** Root variables mentioned on the right-hand side (outside nested calls' own names). */
  rhsRoots: string[];
  /** The outermost call on the right-hand side, if the rhs is a call. */
  rhsCall?: InnerCall;
  rhsText: string;
  /** The assigned expression as written ("new_array[0]", "*pages"). */
  lhsText: string;
  /** "=", "|=", "+=", ... */
  operator: string;
  line: LineRef;
  fn?: string;
  order: number;
}

export interface IdentifierUse {
  side: Side;
  name: string;
  line: LineRef;
  fn?: string;
  /** Inside a #define or other preprocessor line. */
  inPreprocessor: boolean;
}

export interface FileFacts {
  path: string;
  file: FileDiff;
  calls: CallFact[];
  assigns: AssignFact[];
  identifiers: IdentifierUse[];
  exits: ExitFact[];
  functions: FunctionFact[];
  locals: LocalFact[];
}

/** The variable an expression is rooted at: "pages" for &pages[i], "umem->pages" for umem->pages + n. */
export function rootOf(node: Node | null | undefined): string | null {
  let n: Node | null | undefined = node;
  for (let guard = 0; n && guard < 64; guard++) {
    switch (n.type) {
      case "identifier":
        return n.text;
      case "field_expression": {
        const base = rootOf(n.childForFieldName("argument"));
        const field = n.childForFieldName("field")?.text;
        const op = n.childForFieldName("operator")?.text ?? (n.text.includes("->") ? "->" : ".");
        return base && field ? `${base}${op}${field}` : null;
      }
      case "subscript_expression":
        n = n.childForFieldName("argument");
        break;
      case "pointer_expression":
      case "parenthesized_expression":
        n = n.childForFieldName("argument") ?? n.namedChildren.find((c) => c && c.type !== "comment") ?? null;
        break;
      case "cast_expression":
        n = n.childForFieldName("value");
        break;
      case "binary_expression":
        n = n.childForFieldName("left");
        break;
      default:
        return null;
    }
  }
  return null;
}

function callName(call: Node): string | null {
  const fn = call.childForFieldName("function");
  return fn && fn.type === "identifier" ? fn.text : null;
}

function argumentNodes(call: Node): Node[] {
  const list = call.childForFieldName("arguments");
  if (!list) return [];
  return list.namedChildren.filter((c): c is Node => !!c && c.type !== "comment");
}

function innerCalls(node: Node): InnerCall[] {
  const out: InnerCall[] = [];
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === "call_expression") {
      const name = callName(n);
      if (name) out.push({ name, argRoots: argumentNodes(n).map(rootOf) });
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return out;
}

function declaratorName(node: Node | null): string | null {
  let n = node;
  for (let guard = 0; n && guard < 16; guard++) {
    if (n.type === "identifier") return n.text;
    n = n.childForFieldName("declarator");
  }
  return null;
}

function functionName(def: Node): string | undefined {
  let d = def.childForFieldName("declarator");
  for (let guard = 0; d && guard < 16; guard++) {
    if (d.type === "function_declarator") return declaratorName(d.childForFieldName("declarator")) ?? undefined;
    d = d.childForFieldName("declarator");
  }
  return undefined;
}

/** Strips casts and parentheses around a value. */
function unwrap(node: Node | null): Node | null {
  let n = node;
  while (n && (n.type === "parenthesized_expression" || n.type === "cast_expression")) {
    n = n.type === "cast_expression" ? n.childForFieldName("value") : (n.namedChildren.find((c) => c && c.type !== "comment") ?? null);
  }
  return n;
}

/** A node on the walk's path from the root to the node being visited. */
interface Frame {
  type: string;
  /** The field it fills in its parent, read only under an if or ?: (which branch it is). */
  field?: string;
  /** if, ?: and loops: the condition's text. */
  condition?: string;
  /** function_definition: the function's name. */
  fn?: string;
  /** Loops: the first row, which names the loop. */
  row?: number;
}

interface WalkContext {
  side: Side;
  hunk: Hunk;
  rows: DiffLine[];
  out: Omit<FileFacts, "path" | "file">;
  counter: { order: number };
  /** The root first, the node being visited last. */
  path: Frame[];
  /** Records the row each line reference is made for (template walks). */
  lineRows?: Map<LineRef, number>;
}

function lineRef(ctx: Pick<WalkContext, "rows" | "hunk" | "lineRows">, row: number): LineRef {
  const at = Math.min(row, ctx.rows.length - 1);
  const l = ctx.rows[at]!;
  const ref = { hunk: ctx.hunk.index, status: l.status, newLine: l.newLine, oldLine: l.oldLine, text: l.text };
  ctx.lineRows?.set(ref, at);
  return ref;
}

interface Enclosing {
  fn?: string;
  conditions: Condition[];
  loop?: string;
  loopConditions: string[];
}

const BRANCHING = new Set(["if_statement", "conditional_expression"]);
const LOOPS = new Set(["for_statement", "while_statement", "do_statement"]);

/**
 * Where the node being visited sits: its function, the branches and loops
 * around it. Read off the walk's path, so no parent is looked up again for
 * every fact.
 */
function enclosing(ctx: WalkContext): Enclosing {
  const conditions: Condition[] = [];
  const loopConditions: string[] = [];
  let fn: string | undefined;
  let loop: string | undefined;
  const path = ctx.path;
  for (let i = path.length - 2; i >= 0; i--) {
    const p = path[i]!;
    const child = path[i + 1]!;
    if (BRANCHING.has(p.type)) {
      if (p.condition !== undefined && child.field === "consequence") conditions.push({ text: p.condition, branch: "then" });
      else if (p.condition !== undefined && child.field === "alternative") conditions.push({ text: p.condition, branch: "else" });
    } else if (LOOPS.has(p.type)) {
      loop ??= `${ctx.side}:${ctx.hunk.index}:${p.row}`;
      if (p.condition !== undefined) loopConditions.push(p.condition);
    } else if (p.type === "function_definition") {
      fn = p.fn;
      break;
    }
  }
  return { fn: fn ?? ctx.hunk.headerFunction, conditions, loop, loopConditions };
}

function assignmentTarget(call: Node): string | undefined {
  let child: Node = call;
  let p = call.parent;
  while (p && (p.type === "parenthesized_expression" || p.type === "cast_expression")) {
    child = p;
    p = p.parent;
  }
  if (!p) return undefined;
  if (p.type === "assignment_expression" && p.childForFieldName("right")?.id === child.id) {
    return rootOf(p.childForFieldName("left")) ?? undefined;
  }
  if (p.type === "init_declarator" && p.childForFieldName("value")?.id === child.id) {
    return declaratorName(p.childForFieldName("declarator")) ?? undefined;
  }
  return undefined;
}

function recordCall(node: Node, ctx: WalkContext): void {
  const name = callName(node);
  if (!name) return;
  const args = argumentNodes(node);
  const where = enclosing(ctx);
  ctx.out.calls.push({
    side: ctx.side,
    name,
    args: args.map((a) => a.text.replace(/\s+/g, " ")),
    argRoots: args.map(rootOf),
    argCalls: args.map(innerCalls),
    line: lineRef(ctx, node.startPosition.row),
    fn: where.fn,
    assignedTo: assignmentTarget(node),
    conditions: where.conditions,
    loop: where.loop,
    loopConditions: where.loopConditions,
    order: ctx.counter.order++,
  });
}

function recordExit(node: Node, ctx: WalkContext): void {
  const where = enclosing(ctx);
  const isGoto = node.type === "goto_statement";
  const valueNode = isGoto ? node.childForFieldName("label") : (node.namedChildren.find((c) => c && c.type !== "comment") ?? null);
  ctx.out.exits.push({
    side: ctx.side,
    kind: isGoto ? "goto" : "return",
    value: valueNode?.text.replace(/\s+/g, " ") ?? "",
    line: lineRef(ctx, node.startPosition.row),
    fn: where.fn,
    conditions: where.conditions,
    loop: where.loop,
    order: ctx.counter.order++,
  });
}

function identifierRoots(node: Node): string[] {
  const out = new Set<string>();
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    const root = n.type === "identifier" || n.type === "field_expression" || n.type === "subscript_expression" ? rootOf(n) : null;
    if (root) {
      out.add(root);
      if (n.type !== "subscript_expression") continue;
    }
    if (n.type === "call_expression") {
      // The callee's name is not a value; its arguments are.
      const list = n.childForFieldName("arguments");
      if (list) stack.push(list);
      continue;
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return [...out];
}

function recordAssign(lhsNode: Node | null, rhsNode: Node | null, operator: string, anchor: Node, ctx: WalkContext): void {
  const lhs = !lhsNode ? null : /declarator$/.test(lhsNode.type) ? declaratorName(lhsNode) : lhsNode.type === "identifier" ? lhsNode.text : rootOf(lhsNode);
  if (!lhs || !rhsNode) return;
  const inner = unwrap(rhsNode);
  const rhsCall = inner && inner.type === "call_expression" && callName(inner)
    ? { name: callName(inner)!, argRoots: argumentNodes(inner).map(rootOf) }
    : undefined;
  const where = enclosing(ctx);
  ctx.out.assigns.push({
    side: ctx.side,
    lhs,
    rhsRoots: identifierRoots(rhsNode),
    rhsCall,
    rhsText: rhsNode.text.replace(/\s+/g, " "),
    lhsText: (/declarator$/.test(lhsNode?.type ?? "") ? lhs : (lhsNode?.text ?? lhs)).replace(/\s+/g, " "),
    operator,
    line: lineRef(ctx, anchor.startPosition.row),
    fn: where.fn,
    order: ctx.counter.order++,
  });
}

/** Subtrees that hold no code: nothing in them is a call, an exit or an assignment. */
const SKIPPED = new Set(["comment", "string_literal", "char_literal", "system_lib_string"]);
/** The node types facts are recorded for; every other node is only passed through. */
const RECORDED = new Set(["call_expression", "return_statement", "goto_statement", "declaration", "function_definition", "assignment_expression", "init_declarator"]);

function visit(n: Node, ctx: WalkContext): void {
  switch (n.type) {
    case "call_expression":
      recordCall(n, ctx);
      break;
    case "return_statement":
    case "goto_statement":
      recordExit(n, ctx);
      break;
    case "declaration": {
      const where = enclosing(ctx);
      // At the top of a fragment, an indented declaration is still a local of the hunk's function.
      const local = n.parent?.type !== "translation_unit" || /^\s/.test(lineRef(ctx, n.startPosition.row).text);
      if (where.fn && local) {
        for (const d of n.childrenForFieldName("declarator")) {
          const name = declaratorName(d?.type === "init_declarator" ? d.childForFieldName("declarator") : d);
          if (name) ctx.out.locals.push({ side: ctx.side, name, fn: where.fn, line: lineRef(ctx, n.startPosition.row) });
        }
      }
      break;
    }
    case "function_definition": {
      const name = functionName(n);
      if (name) ctx.out.functions.push({ side: ctx.side, name, line: lineRef(ctx, n.startPosition.row) });
      break;
    }
    case "assignment_expression": {
      const op = n.childForFieldName("operator")?.text ?? "=";
      recordAssign(n.childForFieldName("left"), n.childForFieldName("right"), op, n, ctx);
      break;
    }
    case "init_declarator":
      recordAssign(n.childForFieldName("declarator"), n.childForFieldName("value"), "=", n, ctx);
      break;
  }
}

function recordFlagUse(n: Node, ctx: WalkContext): void {
  let inPreprocessor = false;
  for (let p = n.parent; p; p = p.parent) if (p.type.startsWith("preproc_def") || p.type === "preproc_function_def") inPreprocessor = true;
  ctx.out.identifiers.push({ side: ctx.side, name: n.text, line: lineRef(ctx, n.startPosition.row), fn: enclosing(ctx).fn, inPreprocessor });
}

/**
 * Pre-order walk with a tree cursor: no recursion on untrusted input, and a
 * Node object is made only for the nodes a fact is recorded for (making one
 * for every node dominated the review's time).
 */
function walk(tree: Tree, source: string, ctx: WalkContext): void {
  const cursor = tree.walk();
  const path = ctx.path;
  /** The frame of the cursor's node; its Node is made only where a condition or a name must be read. */
  const frame = (): Frame => {
    const type = cursor.nodeType;
    const f: Frame = { type };
    const parent = path[path.length - 1];
    if (parent && BRANCHING.has(parent.type)) f.field = cursor.currentFieldName ?? undefined;
    if (BRANCHING.has(type) || LOOPS.has(type)) {
      const node = cursor.currentNode;
      f.condition = node.childForFieldName("condition")?.text;
      if (LOOPS.has(type)) f.row = node.startPosition.row;
    } else if (type === "function_definition") {
      f.fn = functionName(cursor.currentNode);
    }
    return f;
  };
  try {
    path.push(frame());
    for (;;) {
      const type = path[path.length - 1]!.type;
      if (RECORDED.has(type)) visit(cursor.currentNode, ctx);
      else if (type === "identifier" && source.startsWith("FOLL_", cursor.startIndex) && /^FOLL_[A-Z_0-9]+$/.test(source.slice(cursor.startIndex, cursor.endIndex))) {
        recordFlagUse(cursor.currentNode, ctx);
      }
      if (!SKIPPED.has(type) && cursor.gotoFirstChild()) {
        path.push(frame());
        continue;
      }
      for (;;) {
        path.pop();
        if (cursor.gotoNextSibling()) {
          path.push(frame());
          break;
        }
        if (!cursor.gotoParent()) return;
      }
    }
  } finally {
    path.length = 0;
    cursor.delete();
  }
}

/**
 * The facts of one side of one hunk, as its C text alone determines them.
 * Versions of a series repeat most of their hunks word for word, so these
 * are kept (a bounded number, least recently used out) and placed again for
 * each hunk with the same text: parsing and walking was most of a review.
 */
interface HunkTemplate {
  facts: Omit<FileFacts, "path" | "file">;
  /** The row of the hunk each line reference was made for. */
  rows: Map<LineRef, number>;
  /** Facts that took an order number. */
  ordered: number;
}

const TEMPLATE_HUNK = -1;
/** Bounds on what is kept: templates, and the C text their keys hold (a new driver can be one huge hunk). */
const MAX_TEMPLATES = 512;
const MAX_TEMPLATE_TEXT = 16 << 20;
const templates = new Map<string, HunkTemplate>();
let templateText = 0;

function emptyFacts(): Omit<FileFacts, "path" | "file"> {
  return { calls: [], assigns: [], identifiers: [], exits: [], functions: [], locals: [] };
}

function hunkTemplate(side: Side, hunk: Hunk, rows: DiffLine[], source: string): HunkTemplate {
  const key = `${side}\0${hunk.headerFunction ?? ""}\0${source}`;
  const cached = templates.get(key);
  if (cached) {
    templates.delete(key);
    templates.set(key, cached);
    return cached;
  }
  const facts = emptyFacts();
  const lineRows = new Map<LineRef, number>();
  const counter = { order: 0 };
  const tree = parseC(source);
  try {
    walk(tree, source, { side, hunk: { ...hunk, index: TEMPLATE_HUNK }, rows, out: facts, counter, path: [], lineRows });
  } finally {
    tree.delete();
  }
  const template = { facts, rows: lineRows, ordered: counter.order };
  // One hunk too big to keep does not push out everything else.
  if (key.length > MAX_TEMPLATE_TEXT / 8) return template;
  templates.set(key, template);
  templateText += key.length;
  while (templates.size > MAX_TEMPLATES || templateText > MAX_TEMPLATE_TEXT) {
    const oldest = templates.keys().next().value!;
    templates.delete(oldest);
    templateText -= oldest.length;
  }
  return template;
}

/** Adds a template's facts to `out` as facts of this hunk: its lines, its loops, orders after what came before. */
function place(template: HunkTemplate, ctx: Omit<WalkContext, "path" | "lineRows">): void {
  const line = (ref: LineRef) => lineRef(ctx, template.rows.get(ref)!);
  const loop = (id: string | undefined) => id && `${ctx.side}:${ctx.hunk.index}:${id.slice(id.lastIndexOf(":") + 1)}`;
  const base = ctx.counter.order;
  const t = template.facts;
  for (const f of t.calls) ctx.out.calls.push({ ...f, line: line(f.line), loop: loop(f.loop), order: base + f.order });
  for (const f of t.exits) ctx.out.exits.push({ ...f, line: line(f.line), loop: loop(f.loop), order: base + f.order });
  for (const f of t.assigns) ctx.out.assigns.push({ ...f, line: line(f.line), order: base + f.order });
  for (const f of t.identifiers) ctx.out.identifiers.push({ ...f, line: line(f.line) });
  for (const f of t.functions) ctx.out.functions.push({ ...f, line: line(f.line) });
  for (const f of t.locals) ctx.out.locals.push({ ...f, line: line(f.line) });
  ctx.counter.order += template.ordered;
}

/** Collects the facts of every hunk of `file`, on both sides. */
export function collectFileFacts(file: FileDiff): FileFacts {
  const out: FileFacts = { path: file.path, file, ...emptyFacts() };
  for (const side of ["new", "old"] as const) {
    const counter = { order: 0 };
    for (const hunk of file.hunks) {
      const rows = hunk.lines.filter((l) => (side === "new" ? l.status !== "del" : l.status !== "add"));
      if (rows.length === 0) continue;
      const source = rows.map((l) => l.text).join("\n");
      place(hunkTemplate(side, hunk, rows, source), { side, hunk, rows, out, counter });
    }
  }
  return out;
}
