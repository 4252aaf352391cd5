// A control-flow graph per function, built from its statements: if/else,
// switch and case, loops (including kernel iteration macros) with break and
// continue, goto and labels (across the pieces of a function), return, and
// gaps. Conditions are split at && / || / ! so that every test node tests one
// atom and the engine refines the state on each outcome.
import { apiRow, argIndex } from "../api/catalog.js";
import type { Expr, Stmt, VarDecl } from "./c-ast.js";
import type { FunctionView } from "./source-view.js";

export type NodeKind =
  | "entry" | "exit"
  /** Evaluates an expression for its effects. */
  | "eval"
  /** Declares a variable (with its initializer). */
  | "decl"
  /** Tests an atom: succ[0] when true, succ[1] when false. */
  | "test"
  /** Either successor, without knowing which (#if, a switch's cases, an iteration macro). */
  | "choice"
  | "return"
  | "goto"
  | "label"
  /** Code not shown or not parsed: anything may happen. */
  | "gap"
  | "join";

export interface CfgNode {
  id: number;
  kind: NodeKind;
  expr?: Expr;
  decl?: VarDecl;
  /** Which piece of the function the node is in (rows are piece-relative). */
  piece: number;
  row: number;
  succ: number[];
  /** The loops the node is inside, innermost last. */
  loops: number[];
  /** Loop heads: the loop's id; their false edge (succ[1]) is the normal exit. */
  loopHead?: number;
  /** A loop's induction bound: `i < n` gives n (test nodes of loop heads). */
  label?: string;
  /** An #if branch: the preprocessor condition, and whether the edge to succ[0] takes it. */
  config?: string;
  /** A kernel iteration macro's call (loop heads made from list_for_each_entry(...)). */
  macro?: Expr;
  /** #if conditions around the node inside the function ("!" first when in the #else branch). */
  configs: string[];
  /** A test inside WARN_ON(): the successor that the warning's true side leads to, a case the code says should not happen. */
  warnTo?: number;
}

export interface Cfg {
  nodes: CfgNode[];
  entry: number;
  exit: number;
  /** Labels by name. */
  labels: Map<string, number>;
  /** For loops whose index starts at 0 (for (i = 0; ...)): the index variable, by loop id. */
  zeroStart: Map<number, string>;
}

interface LoopFrame {
  id: number;
  breakTo: number;
  continueTo: number;
}

class Builder {
  readonly nodes: CfgNode[] = [];
  readonly labels = new Map<string, number>();
  readonly gotos: { node: number; label: string }[] = [];
  readonly zeroStart = new Map<number, string>();
  private loops: LoopFrame[] = [];
  private switches: { breakTo: number; cases: { node: number; isDefault: boolean }[] }[] = [];
  private loopIds = 0;
  private configs: string[] = [];
  piece = 0;

  node(kind: NodeKind, row: number, extra: Partial<CfgNode> = {}): CfgNode {
    const n: CfgNode = { id: this.nodes.length, kind, piece: this.piece, row, succ: [], loops: this.loops.map((l) => l.id), configs: [...this.configs], ...extra };
    this.nodes.push(n);
    return n;
  }

  link(from: number | undefined, to: number): void {
    if (from !== undefined) this.nodes[from]!.succ.push(to);
  }

  /** Builds `s`; `from` flows into it; returns the node its normal end flows from (undefined if it never falls through). */
  stmt(s: Stmt, from: number | undefined): number | undefined {
    switch (s.k) {
      case "empty":
        return from;
      case "expr": {
        const n = this.node("eval", s.row, { expr: s.e });
        this.link(from, n.id);
        return n.id;
      }
      case "decl": {
        let at = from;
        for (const v of s.vars) {
          const n = this.node("decl", v.row, { decl: v });
          this.link(at, n.id);
          at = n.id;
        }
        return at;
      }
      case "block": {
        let at = from;
        for (const item of s.items) at = this.stmt(item, at);
        return at;
      }
      case "if": {
        const join = this.node("join", s.endRow);
        const thenStart = this.node("join", s.then.row);
        const elseStart = this.node("join", s.else?.row ?? s.row);
        this.test(s.test, from, thenStart.id, elseStart.id);
        const thenEnd = this.stmt(s.then, thenStart.id);
        this.link(thenEnd, join.id);
        const elseEnd = s.else ? this.stmt(s.else, elseStart.id) : elseStart.id;
        this.link(elseEnd, join.id);
        return join.id;
      }
      case "while": {
        const id = ++this.loopIds;
        const head = this.node("join", s.row);
        this.link(from, head.id);
        const after = this.node("join", s.endRow);
        this.loops.push({ id, breakTo: after.id, continueTo: head.id });
        head.loops = this.loops.map((l) => l.id);
        const bodyStart = this.node("join", s.body.row);
        this.loopTest(s.test, head.id, bodyStart.id, after.id, id);
        const end = this.stmt(s.body, bodyStart.id);
        this.link(end, head.id);
        this.loops.pop();
        return after.id;
      }
      case "do": {
        const id = ++this.loopIds;
        const head = this.node("join", s.row);
        this.link(from, head.id);
        const after = this.node("join", s.endRow);
        const cont = this.node("join", s.endRow);
        this.loops.push({ id, breakTo: after.id, continueTo: cont.id });
        head.loops = cont.loops = this.loops.map((l) => l.id);
        const end = this.stmt(s.body, head.id);
        this.link(end, cont.id);
        this.loopTest(s.test, cont.id, head.id, after.id, id);
        this.loops.pop();
        return after.id;
      }
      case "for": {
        let at = s.init ? this.stmt(s.init, from) : from;
        const id = ++this.loopIds;
        const zero = s.init ? zeroInit(s.init) : undefined;
        if (zero) this.zeroStart.set(id, zero);
        const head = this.node("join", s.row);
        this.link(at, head.id);
        const after = this.node("join", s.endRow);
        const cont = this.node("join", s.endRow);
        this.loops.push({ id, breakTo: after.id, continueTo: cont.id });
        head.loops = cont.loops = this.loops.map((l) => l.id);
        const bodyStart = this.node("join", s.body.row);
        if (s.macro) {
          const choice = this.node("choice", s.row, { loopHead: id, macro: s.macro });
          this.link(head.id, choice.id);
          choice.succ.push(bodyStart.id, after.id);
        } else if (s.test) {
          this.loopTest(s.test, head.id, bodyStart.id, after.id, id);
        } else {
          this.link(head.id, bodyStart.id);
        }
        const end = this.stmt(s.body, bodyStart.id);
        this.link(end, cont.id);
        at = cont.id;
        if (s.update) {
          const u = this.node("eval", s.row, { expr: s.update });
          this.link(at, u.id);
          at = u.id;
        }
        this.link(at, head.id);
        this.loops.pop();
        return after.id;
      }
      case "switch": {
        const dispatch = this.node("eval", s.row, { expr: s.test });
        this.link(from, dispatch.id);
        const after = this.node("join", s.endRow);
        this.switches.push({ breakTo: after.id, cases: [] });
        const end = this.stmt(s.body, undefined);
        const frame = this.switches.pop()!;
        const choice = this.node("choice", s.row);
        this.link(dispatch.id, choice.id);
        for (const c of frame.cases) choice.succ.push(c.node);
        if (!frame.cases.some((c) => c.isDefault)) choice.succ.push(after.id);
        this.link(end, after.id);
        return after.id;
      }
      case "case": {
        const n = this.node("join", s.row);
        this.link(from, n.id);
        const sw = this.switches[this.switches.length - 1];
        if (sw) sw.cases.push({ node: n.id, isDefault: !s.value });
        let at: number | undefined = n.id;
        for (const item of s.items) at = this.stmt(item, at);
        return at;
      }
      case "return": {
        const n = this.node("return", s.row, { expr: s.e });
        this.link(from, n.id);
        n.succ.push(1);
        return undefined;
      }
      case "goto": {
        const n = this.node("goto", s.row, { label: s.label });
        this.link(from, n.id);
        this.gotos.push({ node: n.id, label: s.label });
        return undefined;
      }
      case "label": {
        const n = this.node("label", s.row, { label: s.name });
        this.link(from, n.id);
        this.labels.set(s.name, n.id);
        return s.body ? this.stmt(s.body, n.id) : n.id;
      }
      case "break": {
        const target = this.innermostBreak();
        const n = this.node("goto", s.row, { label: "break" });
        this.link(from, n.id);
        if (target !== undefined) n.succ.push(target);
        else n.succ.push(this.gapExit(s.row));
        return undefined;
      }
      case "continue": {
        const loop = this.loops[this.loops.length - 1];
        const n = this.node("goto", s.row, { label: "continue" });
        this.link(from, n.id);
        n.succ.push(loop ? loop.continueTo : this.gapExit(s.row));
        return undefined;
      }
      case "pp-if": {
        const join = this.node("join", s.endRow);
        const choice = this.node("choice", s.row, { config: s.cond });
        this.link(from, choice.id);
        const thenStart = this.node("join", s.row);
        const elseStart = this.node("join", s.row);
        choice.succ.push(thenStart.id, elseStart.id);
        let at: number | undefined = thenStart.id;
        this.configs.push(s.cond);
        for (const item of s.then) at = this.stmt(item, at);
        this.configs.pop();
        this.link(at, join.id);
        at = elseStart.id;
        this.configs.push(`!(${s.cond})`);
        for (const item of s.else) at = this.stmt(item, at);
        this.configs.pop();
        this.link(at, join.id);
        return join.id;
      }
      case "gap": {
        const n = this.node("gap", s.row);
        this.link(from, n.id);
        return n.id;
      }
    }
  }

  /**
   * The body of a piece whose head is not shown. The blocks the stand-in head
   * opened (they start above the hunk's first line) stand for an if, a loop
   * or a case the patch does not show: control may enter them or skip them.
   */
  fragmentBody(body: Stmt & { k: "block" }, from: number | undefined, offset: number): number | undefined {
    const [first, ...rest] = body.items;
    if (!first || first.k !== "block" || first.row >= offset) return this.stmt(body, from);
    const choice = this.node("choice", first.row);
    this.link(from, choice.id);
    const inside = this.node("join", first.row);
    const join = this.node("join", first.endRow);
    choice.succ.push(inside.id, join.id);
    const end = this.fragmentBody(first, inside.id, offset);
    this.link(end, join.id);
    let at: number | undefined = join.id;
    for (const item of rest) at = this.stmt(item, at);
    return at;
  }

  /** The innermost construct a break leaves: the loop or switch entered last (its exit node is newer). */
  private innermostBreak(): number | undefined {
    // Loops and switches nest; the most recently entered of the two wins.
    const loop = this.loops[this.loops.length - 1];
    const sw = this.switches[this.switches.length - 1];
    if (loop && sw) return sw.breakTo > loop.breakTo ? sw.breakTo : loop.breakTo;
    return sw?.breakTo ?? loop?.breakTo;
  }

  gapExit(row: number): number {
    const n = this.node("gap", row);
    n.succ.push(1);
    return n.id;
  }

  /** A loop's test: atoms like any condition, with the loop head marked on the atom that exits. */
  loopTest(e: Expr, from: number, onTrue: number, onFalse: number, loop: number): void {
    const first = this.nodes.length;
    this.test(e, from, onTrue, onFalse);
    for (let i = first; i < this.nodes.length; i++) {
      const n = this.nodes[i]!;
      if (n.kind === "test") n.loopHead = loop;
    }
  }

  /** Splits a condition into atoms: && and || short-circuit, ! swaps the branches. */
  test(e: Expr, from: number | undefined, onTrue: number, onFalse: number): void {
    const work: { e: Expr; from: number | undefined; t: number; f: number; warn?: number }[] = [{ e, from, t: onTrue, f: onFalse }];
    while (work.length > 0) {
      const { e: x, from: at, t, f, warn } = work.pop()!;
      const wrapper = x.k === "call" && x.fn ? apiRow(x.fn) : undefined;
      const inner = wrapper?.passesValue !== undefined && x.k === "call" ? x.args[argIndex(wrapper.passesValue, x.args.length) ?? 0] : undefined;
      if (inner) {
        // likely(), unlikely(), WARN_ON(): the test is on what they wrap.
        work.push({ e: inner, from: at, t, f, warn: warn ?? (wrapper?.warns ? t : undefined) });
      } else if (x.k === "unary" && x.op === "!") {
        work.push({ e: x.arg, from: at, t: f, f: t, warn });
      } else if (x.k === "binary" && (x.op === "&&" || x.op === "||")) {
        const mid = this.node("join", x.row);
        if (x.op === "&&") {
          work.push({ e: x.left, from: at, t: mid.id, f, warn });
          work.push({ e: x.right, from: mid.id, t, f, warn });
        } else {
          work.push({ e: x.left, from: at, t, f: mid.id, warn });
          work.push({ e: x.right, from: mid.id, t, f, warn });
        }
      } else {
        const n = this.node("test", x.row, { expr: x, warnTo: warn });
        this.link(at, n.id);
        n.succ.push(t, f);
      }
    }
  }
}

/** `i = 0` or `int i = 0` (the first of a comma list): the variable set to zero. */
function zeroInit(init: Stmt): string | undefined {
  if (init.k === "decl") {
    const v = init.vars.find((d) => d.init?.k === "num" && Number(d.init.text) === 0);
    return v?.name;
  }
  if (init.k !== "expr") return undefined;
  const items = init.e.k === "comma" ? init.e.items : [init.e];
  for (const e of items) {
    if (e.k === "assign" && e.op === "=" && e.left.k === "id" && e.right.k === "num" && Number(e.right.text) === 0) return e.left.name;
  }
  return undefined;
}

/** The CFG of a function: its pieces in order, a gap between pieces and before a piece without its head. */
export function buildCfg(view: FunctionView): Cfg {
  const b = new Builder();
  const entry = b.node("entry", 0);
  const exit = b.node("exit", 0);
  let at: number | undefined = entry.id;
  view.pieces.forEach((piece, index) => {
    b.piece = index;
    if (piece.startGap) {
      const gap = b.node("gap", piece.ast.body.row);
      b.link(at, gap.id);
      at = gap.id;
    }
    at = piece.startGap ? b.fragmentBody(piece.ast.body, at, piece.offset) : b.stmt(piece.ast.body, at);
    if (piece.endGap && at !== undefined) {
      const gap = b.node("gap", piece.ast.body.endRow);
      b.link(at, gap.id);
      at = gap.id;
    }
  });
  // Falling off the end returns.
  if (at !== undefined) {
    const last = view.pieces[view.pieces.length - 1]!;
    b.piece = view.pieces.length - 1;
    const ret = b.node("return", last.ast.body.endRow);
    b.link(at, ret.id);
    ret.succ.push(exit.id);
  }
  for (const g of b.gotos) {
    const target = b.labels.get(g.label);
    b.nodes[g.node]!.succ.push(target ?? b.gapExit(b.nodes[g.node]!.row));
  }
  return { nodes: b.nodes, entry: entry.id, exit: exit.id, labels: b.labels, zeroStart: b.zeroStart };
}
