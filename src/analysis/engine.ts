// The path engine: runs one function's CFG with a set of path states per
// node until nothing changes, applying each call's effects from the API
// table (or from a summary of a function the patch defines), refining the
// states on every test, and then records what it observed at each node on
// each path for the rules. Cost is bounded: at most MAX_STATES states per
// node, a node visited MAX_VISITS times before its states are widened into
// one, and a step budget after which the function is left silent.
import { apiRow, argIndex } from "../api/catalog.js";
import type { ApiRow, ReleaseEffect, SinkEffect } from "../api/effect-types.js";
import { parseTranslation, type Expr, type Stmt } from "./c-ast.js";
import type { Cfg, CfgNode } from "./cfg.js";
import { PathState, widen } from "./state.js";
import type { Summary } from "./summaries.js";
import type { FunctionView } from "./source-view.js";
import {
  ALL_OUTCOMES, FULL, HOLDS, NEG, SHORT, ZERO, exprText, isLocalKey, keyOf, objOf, rootOf, stripCasts,
  type FlagsVal, type Obj, type Site, type Val,
} from "./values.js";

const MAX_STATES = 16;
const MAX_VISITS = 8;
const STEP_BUDGET = 60_000;

/** What the engine saw at a node on one path (`path` numbers the node's incoming states). */
export type Observation = ObservationBody & { path: number };

type ObservationBody =
  | { k: "acquire"; node: number; site: Site; st: PathState }
  | {
      k: "release"; node: number; call: string; row: ApiRow; release: ReleaseEffect; target?: Val; obj?: number;
      /** The count argument, normalised. */ count?: string; countVal?: Val; dirtyArg?: string; elementwise: boolean; viaHelper?: string;
      /** The key of what was passed (pages, umem->pages). */ targetKey?: string; st: PathState;
    }
  | { k: "exit"; node: number; value?: Val; text: string; failure: boolean; void: boolean; st: PathState }
  | { k: "free"; node: number; call: string; obj: number; st: PathState }
  | { k: "map"; node: number; call: string; row: ApiRow; obj: number; safe: boolean; st: PathState }
  | { k: "sink"; node: number; call: string; sink: SinkEffect; obj: number; memory?: "read" | "written" | "both"; viaHelper?: string; st: PathState }
  | { k: "dirty"; node: number; call: string; obj: number; locked: boolean; st: PathState }
  | { k: "sleep"; node: number; call: string; why: string; chain: string[];
      /** The sleeping call is part of the GUP/pin API (an acquisition, a dirtying release, set_page_dirty_lock()). */ gup: boolean; st: PathState }
  | { k: "count-use"; node: number; obj: number; how: "index" | "release-count"; st: PathState }
  | { k: "store"; node: number; key: string; val: Val; st: PathState }
  | { k: "iter"; node: number; call: string; iter: Val; st: PathState }
  | { k: "truncate"; node: number; obj: number; type: string; key?: string; st: PathState }
  /** An entry of an acquisition's array read inside a loop. */
  | { k: "element"; node: number; obj: number; st: PathState };

/** Functions and macros the patch defines, and where functions run. */
export interface AnalysisEnv {
  summaryOf(name: string): Summary | undefined;
  macroOf(name: string): { params: string[]; body: Expr } | undefined;
  /** Why the named function runs in atomic context, if it does. */
  atomicContextOf(name: string): string | undefined;
}

export interface FunctionAnalysis {
  view: FunctionView;
  cfg: Cfg;
  observations: Observation[];
  sites: Map<number, Site>;
  /** The step budget ran out: say nothing about this function. */
  capped: boolean;
  /** Every path's state at the exit. */
  exitStates: PathState[];
  /** Loop bounds by loop id: `i < n` gives n. */
  loopBounds: Map<number, string>;
  /** How many path states reach each node (observations cover a node's every path when they match this count). */
  statesAt: Map<number, number>;
  /** The function's parameters and local variables. */
  locals: ReadonlySet<string>;
  /** For stand-ins of page parameters: how the function's own releases say the pages were taken. */
  inferredModes: Map<number, import("../api/effect-types.js").AcquireMode>;
  /** Declared types of the parameters and locals, by name. */
  types: ReadonlyMap<string, import("./c-ast.js").TypeInfo>;
}

interface LoopInfo {
  bound?: string;
  index?: string;
}

/** What a loop's body does element by element: key -> release or escape. */
type LoopOps = Map<number, Map<string, "release" | "escape">>;

export class Engine {
  private readonly sites = new Map<number, Site>();
  private readonly locals = new Set<string>();
  /** Acquisition results by the call expression that produced them. */
  private readonly callResults = new WeakMap<Expr, Val>();
  private readonly params = new Map<string, number>();
  private readonly types = new Map<string, import("./c-ast.js").TypeInfo>();
  private readonly loops = new Map<number, LoopInfo>();
  private readonly loopOps: LoopOps = new Map();
  /** Arrays a loop indexes while it releases or hands pages on somewhere in its body. */
  private readonly loopConsumes = new Map<number, Set<string>>();
  private observing = false;
  private pathIndex = 0;
  private obs: Observation[] = [];
  private node!: CfgNode;
  private steps = 0;

  constructor(
    private readonly view: FunctionView,
    private readonly cfg: Cfg,
    private readonly env: AnalysisEnv,
    /** Acquisition ids of this function start here (unique across a patch). */
    private readonly siteBase: number,
    private readonly initial?: (st: PathState, engine: Engine) => void,
  ) {
    collectLocals(view, this.locals, this.params, this.types);
    this.scanLoops();
  }

  get currentNode(): number {
    return this.node?.id ?? 0;
  }

  /** An id for an acquisition made through a helper at the current node. */
  newSiteId(sub: number): number {
    return this.siteBase + 500_000 + (this.node?.id ?? 0) * 8 + sub;
  }

  /** An acquisition a helper made and handed back, with the return outcomes it may have. */
  registerSite(site: Site, st: PathState, outcomes: number): void {
    this.sites.set(site.id, site);
    st.putObj(site.id, { site, status: "held", outcome: outcomes });
    this.observe({ k: "acquire", node: this.currentNode, site, st });
  }

  get paramIndex(): ReadonlyMap<string, number> {
    return this.params;
  }

  isLocal(key: string): boolean {
    return isLocalKey(key, this.locals);
  }

  /** Registers an object at function entry (summaries bind parameters this way). */
  addSite(site: Site, st: PathState, obj: Partial<Obj> = {}): void {
    this.sites.set(site.id, site);
    st.putObj(site.id, { site, status: "held", outcome: FULL, ...obj });
  }

  run(): FunctionAnalysis {
    const nodes = this.cfg.nodes;
    const order = reversePostorder(this.cfg);
    const rank = new Map(order.map((id, i) => [id, i]));
    const incoming = new Map<number, Map<string, PathState>>();
    const visits = new Map<number, number>();
    const start = new PathState();
    this.initial?.(start, this);
    incoming.set(this.cfg.entry, new Map([[start.signature(), start]]));
    const queue = new Set<number>([this.cfg.entry]);
    let capped = false;
    while (queue.size > 0) {
      let next = -1;
      for (const id of queue) if (next < 0 || rank.get(id)! < rank.get(next)!) next = id;
      queue.delete(next);
      const node = nodes[next]!;
      const count = (visits.get(next) ?? 0) + 1;
      visits.set(next, count);
      let states = incoming.get(next);
      if (!states) continue;
      if (count > MAX_VISITS && states.size > 1) {
        // A loop still changing: merge paths that agree on the acquisitions, then (much later) everything.
        states = count > 3 * MAX_VISITS ? single(widen([...states.values()])) : mergeByProperty(states);
        incoming.set(next, states);
      }
      for (const st of [...states.values()]) {
        if (++this.steps > STEP_BUDGET) {
          capped = true;
          break;
        }
        for (const [succ, out] of this.transfer(node, st)) {
          if (this.add(incoming, succ, out)) queue.add(succ);
        }
      }
      if (capped) break;
    }
    const exitStates = [...(incoming.get(this.cfg.exit)?.values() ?? [])];
    if (capped) return { view: this.view, cfg: this.cfg, observations: [], sites: this.sites, capped, exitStates: [], loopBounds: new Map(), statesAt: new Map(), locals: this.locals, inferredModes: new Map(), types: this.types };
    // Observe: every node once more with its final states.
    this.observing = true;
    const statesAt = new Map<number, number>();
    for (const id of order) {
      const states = incoming.get(id);
      statesAt.set(id, states?.size ?? 0);
      this.pathIndex = 0;
      for (const st of states?.values() ?? []) {
        this.transfer(nodes[id]!, st);
        this.pathIndex++;
      }
    }
    this.observing = false;
    const loopBounds = new Map<number, string>();
    for (const [id, l] of this.loops) if (l.bound) loopBounds.set(id, l.bound);
    return { view: this.view, cfg: this.cfg, observations: this.obs, sites: this.sites, capped, exitStates, loopBounds, statesAt, locals: this.locals, inferredModes: new Map(), types: this.types };
  }

  private add(incoming: Map<number, Map<string, PathState>>, node: number, st: PathState): boolean {
    let states = incoming.get(node);
    if (!states) {
      states = new Map();
      incoming.set(node, states);
    }
    const sig = st.signature();
    if (states.has(sig)) return false;
    states.set(sig, st);
    if (states.size > MAX_STATES) {
      // Merge paths that agree on every acquisition first (ESP); only then lose precision on them.
      let merged = mergeByProperty(states);
      if (merged.size > MAX_STATES) merged = single(widen([...merged.values()]));
      states.clear();
      for (const [k, m] of merged) states.set(k, m);
    }
    return true;
  }

  private observe(o: ObservationBody): void {
    // The path goes on changing after this point: keep the state as it was here.
    if (this.observing) this.obs.push({ ...o, st: o.st.clone(), path: this.pathIndex } as Observation);
  }

  // ---- nodes ---------------------------------------------------------------

  private transfer(node: CfgNode, input: PathState): [number, PathState][] {
    this.node = node;
    // States at a node are never changed once added; pass-through nodes share them.
    if ((node.kind === "join" || node.kind === "label" || node.kind === "entry") && !this.leavesLoop(node)) {
      const succ = node.succ[0];
      return succ === undefined ? [] : [[succ, input]];
    }
    const st = input.clone();
    const out: [number, PathState][] = [];
    const go = (index: number, s: PathState | null) => {
      const succ = node.succ[index];
      if (succ === undefined || !s) return;
      out.push([succ, this.leaveLoops(node, index, this.cfg.nodes[succ]!, s)]);
    };
    switch (node.kind) {
      case "entry":
      case "join":
      case "label":
        go(0, st);
        break;
      case "exit":
        break;
      case "gap":
        st.crossGap();
        go(0, st);
        break;
      case "eval":
        if (this.exec(node.expr!, st) === DEAD) break;
        go(0, st);
        break;
      case "decl": {
        const d = node.decl!;
        if (d.init) {
          const v = this.exec(d.init, st);
          if (v === DEAD) break;
          this.assignKey(d.name, v, st, d.type.unsigned && !d.type.pointers ? d.type.text : undefined);
        } else {
          // A local array is kernel storage of a known capacity.
          st.set(d.name, d.type.array ? { t: "kernel", array: true, capacity: d.type.size, at: node.id } : undefined);
        }
        go(0, st);
        break;
      }
      case "test": {
        const [t, f] = this.test(node.expr!, st);
        go(0, t);
        go(1, f);
        break;
      }
      case "choice": {
        if (node.macro) this.exec(node.macro, st);
        for (let i = 0; i < node.succ.length; i++) {
          const s = i === 0 ? st : st.clone();
          if (node.config) s.setFact(`#${node.config}`, i === 0);
          go(i, s);
        }
        break;
      }
      case "goto":
        if (node.label !== "break" && node.label !== "continue") {
          // The first forward goto names the path (the error path it took); a retry loop back up starts it over.
          const target = node.succ[0] === undefined ? undefined : this.cfg.nodes[node.succ[0]];
          const backward = !!target && (target.piece < node.piece || (target.piece === node.piece && target.row < node.row));
          st.jump = backward ? undefined : st.jump ?? node.id;
        }
        go(0, st);
        break;
      case "return": {
        const v = node.expr ? this.exec(node.expr, st) : undefined;
        if (v === DEAD) break;
        st.jump ??= node.id;
        this.escapeVal(v, st);
        if (node.expr) this.escapeContainers([node.expr], st);
        // Returning from inside a loop leaves it early: what it worked through element by element is half done.
        this.leaveLoops(node, -1, this.cfg.nodes[this.cfg.exit]!, st);
        const text = node.expr ? exprText(node.expr) : "";
        this.observe({ k: "exit", node: node.id, value: v, text, failure: this.isFailure(node.expr, v, st), void: !node.expr, st });
        go(0, st);
        break;
      }
    }
    return out;
  }

  private leavesLoop(node: CfgNode): boolean {
    const to = node.succ[0] === undefined ? undefined : this.cfg.nodes[node.succ[0]];
    return !!to && node.loops.some((l) => !to.loops.includes(l));
  }

  /** Loops left on the edge from `node` to `to`: element-by-element work finishes, or stops half done. */
  private leaveLoops(node: CfgNode, index: number, to: CfgNode, st: PathState): PathState {
    for (const loop of node.loops) {
      if (to.loops.includes(loop)) continue;
      const normal = node.loopHead === loop && index === 1;
      const ops = this.loopOps.get(loop);
      for (const [id, o] of st.objs) {
        const keyed = ops ? this.opOfLoop(ops, id, st) : undefined;
        // Only a loop that starts at the first entry works through the whole array.
        const whole = this.cfg.zeroStart.has(loop);
        if (normal && o.rest === loop) {
          st.putObj(id, { ...o, rest: "done" });
        } else if (!normal && o.each?.loop === loop && o.rest === "done") {
          // Handed on up to the cursor, released from it on: nothing is left.
          st.putObj(id, { ...o, each: undefined, rest: undefined, status: "released" });
          st.leftEarly = loop;
        } else if (normal && !whole && o.each?.loop === loop) {
          st.putObj(id, { ...o, each: undefined, partly: true });
        } else if (normal && whole && (o.each?.loop === loop || (keyed && o.status === "held"))) {
          const op = o.each?.loop === loop ? o.each.op : keyed!;
          st.putObj(id, { ...o, status: op === "release" ? "released" : "escaped", each: undefined, releasedCount: op === "release" ? (this.loops.get(loop)?.bound ?? o.releasedCount) : o.releasedCount });
        } else if (normal && !o.each && o.status === "held" && this.consumedBy(loop, id, st)) {
          // The loop would have released or handed on these pages had it run: the path that skipped it says nothing.
          st.putObj(id, { ...o, partly: true });
        } else if (!normal && o.each?.loop === loop) {
          st.putObj(id, { ...o, each: undefined, remainder: true });
          st.leftEarly = loop;
        }
      }
    }
    return st;
  }

  private consumedBy(loop: number, id: number, st: PathState): boolean {
    const keys = this.loopConsumes.get(loop);
    if (!keys) return false;
    for (const [key, v] of st.env) if (v.t === "arr" && v.obj === id && keys.has(key)) return true;
    return false;
  }

  private opOfLoop(ops: Map<string, "release" | "escape">, id: number, st: PathState): "release" | "escape" | undefined {
    for (const [key, op] of ops) {
      const v = st.env.get(key);
      if (v && v.t === "arr" && v.obj === id) return op;
    }
    return undefined;
  }

  // ---- expressions -----------------------------------------------------------

  /** Evaluates `e` for its effects and value. DEAD: the path ends (noreturn). */
  exec(e: Expr, st: PathState): Val | undefined | typeof DEAD {
    const x = e;
    switch (x.k) {
      case "id": {
        const v = st.env.get(x.name);
        if (v) return v;
        if (st.nulls.has(x.name)) return { t: "null" };
        const row = apiRow(x.name);
        if (row?.direction) return { t: "const", name: x.name };
        if (row?.flag) return { t: "flags", flags: { must: [x.name], may: [x.name], open: false } };
        if (x.name === "NULL") return { t: "null" };
        return undefined;
      }
      case "num":
        return numberVal(x.text);
      case "str":
      case "other":
      case "list":
        return undefined;
      case "stmt-expr":
        return this.execStatements(x.body, st);
      case "cast": {
        const v = this.exec(x.arg, st);
        if (v === DEAD) return v;
        if (v?.t === "ret" && x.unsigned) this.observe({ k: "truncate", node: this.node.id, obj: v.obj, type: x.type, st });
        return v;
      }
      case "field": {
        const key = keyOf(x);
        const base = this.exec(x.base, st);
        if (base === DEAD) return base;
        if (key && st.env.has(key)) return st.env.get(key);
        if (key && st.nulls.has(key)) return { t: "null" };
        // A frame vector's page array is its pages.
        if (base?.t === "arr" && this.sites.get(base.obj)?.mode === "frame-vector") return { t: "arr", obj: base.obj };
        return key && !isLocalKey(key, this.locals) ? { t: "into", root: rootOf(key) } : base?.t === "into" ? base : undefined;
      }
      case "index": {
        const base = this.exec(x.base, st);
        if (base === DEAD) return base;
        const idx = this.exec(x.index, st);
        if (idx === DEAD) return idx;
        this.countUse(idx, "index", st);
        const key = keyOf(x);
        if (base?.t === "arr" && this.node.loops.length > 0) this.observe({ k: "element", node: this.node.id, obj: base.obj, st });
        if (key && st.env.has(key)) return st.env.get(key);
        if (base?.t === "arr") return { t: "page", obj: base.obj, rel: base.derived ?? "same", yields: "page", element: true };
        return undefined;
      }
      case "unary": {
        if (x.op === "&") {
          const inner = stripCasts(x.arg);
          if (inner.k === "index") {
            const base = this.exec(inner.base, st);
            if (base === DEAD) return base;
            const index = this.exec(inner.index, st);
            if (index === DEAD) return index;
            this.countUse(index, "index", st);
            const idx = stripCasts(inner.index);
            if (base?.t === "arr") return { t: "arr", obj: base.obj, slice: !(idx.k === "num" && Number(idx.text) === 0), derived: base.derived };
            if (base?.t === "into") return base;
            const baseKey = keyOf(inner.base);
            return baseKey && !isLocalKey(baseKey, this.locals) ? { t: "into", root: rootOf(baseKey) } : undefined;
          }
          const v = this.exec(x.arg, st);
          if (v === DEAD) return v;
          const innerKey = keyOf(inner);
          if (innerKey && !isLocalKey(innerKey, this.locals) && (!v || v.t === "into")) return { t: "into", root: rootOf(innerKey) };
          // &page_folio(p)->page is the folio's head page.
          if (inner.k === "field" && !inner.arrow) return v;
          if (inner.k === "field" && inner.arrow) {
            const base = this.exec(inner.base, st);
            if (base !== DEAD && base?.t === "page" && base.yields === "folio") return { ...base, rel: "head", yields: "page" };
          }
          return undefined;
        }
        const v = this.exec(x.arg, st);
        if (v === DEAD) return v;
        if (x.op === "*") {
          const key = keyOf(x);
          if (key && st.env.has(key)) return st.env.get(key);
          if (v?.t === "arr") return { t: "page", obj: v.obj, rel: v.derived ?? "same", yields: "page", element: true };
          return undefined;
        }
        if (x.op === "-" && v?.t === "num") return { t: "num", mask: negate(v.mask) };
        if (x.op === "-" && x.arg.k === "id" && /^E[A-Z0-9]+$/.test(x.arg.name)) return { t: "num", mask: NEG };
        return undefined;
      }
      case "binary": {
        const l = this.exec(x.left, st);
        if (l === DEAD) return l;
        const r = this.exec(x.right, st);
        if (r === DEAD) return r;
        if (x.op === "|" && (l?.t === "flags" || r?.t === "flags")) return orFlags(l, r);
        if ((x.op === "+" || x.op === "-") && l?.t === "into") return l;
        if ((x.op === "+" || x.op === "-") && l && (l.t === "arr" || l.t === "vaddr" || l.t === "page")) {
          if (l.t === "arr") return { ...l, slice: true };
          if (l.t === "page" && l.yields === "page") return { ...l, rel: "nth" };
          return l;
        }
        // A page frame number or physical address shifted or masked is still that page's address.
        for (const v of [l, r]) if (v?.t === "page" && (v.yields === "pfn" || v.yields === "phys") && ["<<", ">>", "|", "&", "+", "-"].includes(x.op)) return v;
        return undefined;
      }
      case "cond": {
        const t = this.exec(x.test, st);
        if (t === DEAD) return t;
        const a = this.exec(x.then, st);
        const b = this.exec(x.else, st);
        if (a === DEAD || b === DEAD) return undefined;
        if (a && b && JSON.stringify(a) === JSON.stringify(b)) return a;
        if (a?.t === "flags" || b?.t === "flags") return joinFlags(a, b);
        return undefined;
      }
      case "comma": {
        let v: Val | undefined | typeof DEAD;
        for (const item of x.items) {
          v = this.exec(item, st);
          if (v === DEAD) return v;
        }
        return v;
      }
      case "update": {
        const v = this.exec(x.arg, st);
        if (v === DEAD) return v;
        const key = keyOf(x.arg);
        // A pointer stepping through an array of pages still points into it.
        const next: Val | undefined = v?.t === "arr" ? { ...v, slice: true } : undefined;
        if (key) this.assignKey(key, next, st);
        return next && x.row >= 0 ? v : undefined;
      }
      case "assign":
        return this.assign(x, st);
      case "call": {
        const v = this.call(x, st);
        // A test compares a call's result in place (`if (gup(...) != 1)`): peek() reads it back.
        if (v && v !== DEAD && v.t === "ret") this.callResults.set(x, v);
        return v;
      }
    }
  }

  private execStatements(s: Stmt, st: PathState): Val | undefined {
    // A statement expression ({ ... }): its calls count, its flow is not followed.
    let last: Val | undefined;
    const walk = (t: Stmt) => {
      if (t.k === "expr") {
        const v = this.exec(t.e, st);
        last = v === DEAD ? undefined : v;
      } else if (t.k === "block") for (const i of t.items) walk(i);
      else if (t.k === "decl") for (const d of t.vars) if (d.init) this.exec(d.init, st);
    };
    walk(s);
    return last;
  }

  private assign(x: Expr & { k: "assign" }, st: PathState): Val | undefined | typeof DEAD {
    const key = keyOf(x.left);
    // Evaluate the left side's own reads (a[i] = ...: i) without effects on keys.
    if (x.left.k === "index") this.exec(x.left.index, st);
    const r = this.exec(x.right, st);
    if (r === DEAD) return r;
    if (!key) {
      this.escapeVal(r, st);
      return r;
    }
    if (x.op === "=") {
      this.assignKey(key, r, st);
      return r;
    }
    const old = st.env.get(key);
    if (x.op === "|=" && (old?.t === "flags" || r?.t === "flags")) {
      const v = orFlags(old, r);
      this.assignKey(key, v, st);
      return v;
    }
    if (x.op === "&=" && old?.t === "flags") {
      // Clearing bits: what may remain is what was there.
      const v: Val = { t: "flags", flags: { must: [], may: old.flags.may, open: old.flags.open } };
      this.assignKey(key, v, st);
      return v;
    }
    this.assignKey(key, undefined, st);
    return undefined;
  }

  /** Stores `v` under `key`: element stores, escapes to storage others see, truncations. */
  assignKey(key: string, v: Val | undefined, st: PathState, unsignedType?: string): void {
    const declared = this.types.get(key);
    const narrow = unsignedType ?? (declared && declared.unsigned && declared.pointers === 0 && !declared.array ? declared.text : undefined);
    if (v?.t === "ret") {
      const site = this.sites.get(v.obj);
      if (site && site.resultKey === undefined) site.resultKey = key;
    }
    // The variable that gave an acquisition its count changes: its name no longer means the requested count.
    for (const [id, o] of st.objs) if (o.site.count === key) st.setFact(recountFact(id), true);
    if (v?.t === "ret" && narrow) this.observe({ k: "truncate", node: this.node.id, obj: v.obj, type: narrow, key, st });
    const element = /\[[^\]]*\]$/.exec(key);
    if (element) {
      const base = key.slice(0, element.index);
      if (v?.t === "page" && v.yields === "page" && isLocalKey(base, this.locals)) {
        const cur = st.env.get(base);
        // Pages stored into a kernel array make it an array of those pages.
        const derived = v.rel === "same" ? undefined : v.rel === "folio" ? "head" : v.rel;
        if (!cur || cur.t === "kernel") st.putEnv(base, { t: "arr", obj: v.obj, derived, derivedAt: derived ? this.node.id : undefined });
        else if (cur.t === "arr" && cur.obj === v.obj && derived) st.putEnv(base, { ...cur, derived, derivedAt: this.node.id });
      }
    }
    if (v && objOf(v) !== undefined && !isLocalKey(key, this.locals)) {
      this.observe({ k: "store", node: this.node.id, key, val: v, st });
      this.escape(objOf(v)!, st);
    }
    if (v?.t === "ret" && !isLocalKey(key, this.locals)) this.observe({ k: "store", node: this.node.id, key, val: v, st });
    if (!element) st.set(key, v);
    else if (v && objOf(v) === undefined) st.set(key, v);
    else if (!v) st.set(key, undefined);
    else st.putEnv(key, v);
  }

  /** The object's pages are in someone else's hands now (on this path). */
  escape(id: number, st: PathState): void {
    const o = st.obj(id);
    if (!o || o.status !== "held") return;
    if (this.node.loops.length > 0 && o.each === undefined && this.isElementOp()) {
      st.setObj(id, { each: { op: "escape", loop: this.node.loops[this.node.loops.length - 1]! } });
      return;
    }
    if (o.each) return;
    st.setObj(id, { status: "escaped" });
  }

  private elementOp = false;
  private isElementOp(): boolean {
    return this.elementOp;
  }

  /** Pages put in memory reached through a variable go where the variable goes. */
  escapeContainers(args: readonly Expr[], st: PathState): void {
    for (const a of args) {
      const k = keyOf(stripCasts(a).k === "unary" ? (stripCasts(a) as Expr & { k: "unary" }).arg : a);
      if (!k) continue;
      const root = rootOf(k);
      for (const [id, o] of st.objs) if (o.site.container === root) this.escape(id, st);
    }
  }

  private escapeVal(v: Val | undefined, st: PathState): void {
    const id = objOf(v);
    if (id !== undefined) this.escape(id, st);
  }

  // ---- calls -----------------------------------------------------------------

  private call(x: Expr & { k: "call" }, st: PathState): Val | undefined | typeof DEAD {
    const name = x.fn;
    const row = name ? apiRow(name) : undefined;
    const summary = name ? this.env.summaryOf(name) : undefined;
    const macro = name && !summary ? this.env.macroOf(name) : undefined;
    if (macro) return this.exec(substitute(macro.body, macro.params, x.args), st);
    if (row?.passesValue !== undefined) {
      const at = argIndex(row.passesValue, x.args.length);
      let v: Val | undefined | typeof DEAD;
      x.args.forEach((a, i) => {
        const r = this.exec(a, st);
        if (i === at) v = r;
      });
      return v;
    }
    const args: (Val | undefined)[] = [];
    for (const a of x.args) {
      const v = this.exec(a, st);
      if (v === DEAD) return v;
      args.push(v);
    }
    if (!name) {
      for (const v of args) this.escapeVal(v, st);
      return undefined;
    }
    if (summary) return summary.apply(this, x, args, st);
    if (!row) {
      // An unknown function may keep or release anything it is given, or anything reached through it.
      for (const v of args) this.escapeVal(v, st);
      this.escapeContainers(x.args, st);
      for (const a of x.args) {
        const inner = stripCasts(a);
        if (inner.k === "unary" && inner.op === "&") {
          const k = keyOf(inner.arg);
          // Given the variable's address, it can release or keep what the variable holds (io_pages_free(&pages, n)).
          if (k) this.escapeVal(st.env.get(k), st);
          if (k) st.set(k, undefined);
        }
      }
      return undefined;
    }
    return this.applyRow(row, x, args, st);
  }

  /** Applies a table row's effects to a call. */
  applyRow(row: ApiRow, x: Expr & { k: "call" }, args: (Val | undefined)[], st: PathState, viaHelper?: string): Val | undefined | typeof DEAD {
    const arity = x.args.length;
    const arg = (pos: Parameters<typeof argIndex>[0]) => {
      const i = argIndex(pos, arity);
      return i === undefined ? undefined : { index: i, expr: x.args[i]!, val: args[i] };
    };
    if (row.noreturn) return DEAD;
    if (row.abortsIf !== undefined) {
      const a = arg(row.abortsIf);
      if (a) {
        const [, f] = this.test(a.expr, st, true);
        if (!f) return DEAD;
        copyInto(st, f);
      }
      return undefined;
    }
    let result: Val | undefined;
    this.sleepEffect(row, x, st);
    if (row.lock) {
      if (row.lock.atomic && row.lock.op === "acquire" && !row.lock.trylock) st.atomic = [...st.atomic, { what: row.lock.what, node: this.node.id }];
      if (row.lock.atomic && row.lock.op === "release") st.atomic = st.atomic.slice(0, -1);
      if (row.lock.trylock) result = { t: "trylock", what: row.lock.what, node: this.node.id };
    }
    if (row.lock && !row.lock.atomic && row.lock.what.includes("page") || row.lock?.what.includes("folio")) {
      const id = objOf(args[0]);
      if (id !== undefined) st.setFact(`@locked:${id}`, row.lock!.op === "acquire");
    }
    if (row.addsRef !== undefined) {
      const a = arg(row.addsRef);
      const id = objOf(a?.val);
      if (id !== undefined) st.setObj(id, { extraRef: true });
    }
    if (row.acquire) result = this.acquire(row, x, args, st);
    if (row.release) this.release(row, row.release, x, args, st, viaHelper);
    if (row.freesContainer) {
      const a = arg(row.freesContainer.arg);
      const id = a?.val?.t === "arr" ? a.val.obj : undefined;
      if (id !== undefined) {
        this.observe({ k: "free", node: this.node.id, call: row.name, obj: id, st: st.clone() });
        st.setObj(id, { freed: true });
      }
      const k = a ? keyOf(a.expr) : undefined;
      if (k) st.set(k, undefined);
    }
    if (row.map) {
      const a = arg(row.map.arg);
      const id = objOf(a?.val);
      if (id !== undefined && a?.val?.t !== "vaddr") {
        this.observe({ k: "map", node: this.node.id, call: row.name, row, obj: id, safe: row.map.highmemSafe, st });
        result = { t: "vaddr", obj: id, safe: row.map.highmemSafe, mapper: row.name, node: this.node.id };
      }
    }
    if (row.derive) {
      const a = arg(row.derive.arg);
      const v = a?.val;
      if (v && (v.t === "page" || v.t === "arr")) {
        const relation = row.derive.relation;
        const rel = relation === "same" || relation === "element" ? (v.t === "page" ? v.rel : "same") : relation;
        result = { t: "page", obj: v.obj, rel, yields: row.derive.yields, element: v.t === "page" ? v.element : true };
      } else if (v?.t === "vaddr" && row.derive.relation === "same") {
        result = { t: "page", obj: v.obj, rel: "same", yields: row.derive.yields, element: true };
      } else if (v?.t === "kernel") {
        result = { t: "kernel", array: false };
      }
    }
    for (const sink of row.sinks ?? []) {
      const a = arg(sink.arg);
      const id = objOf(a?.val);
      if (id === undefined) continue;
      if (sink.access === "cpu-write" || sink.access === "cpu-read") {
        if (sink.what === "vaddr" && a?.val?.t !== "vaddr") continue;
      }
      const dir = sink.dirArg !== undefined ? arg(sink.dirArg)?.val : undefined;
      const memory = sink.access === "cpu-write" ? "written" : sink.access === "cpu-read" ? "read" : dir?.t === "const" ? apiRow(dir.name)?.direction?.memory : undefined;
      this.observe({ k: "sink", node: this.node.id, call: row.name, sink, obj: id, memory, viaHelper, st });
      if (sink.stores) {
        const before = st.obj(id)?.status;
        this.elementOp = this.isElementOf(a!.val, st);
        this.escape(id, st);
        this.elementOp = false;
        if (sink.storesOnSuccess && before === "held") result = { t: "status", stored: [...(result?.t === "status" ? result.stored : []), id] };
      }
    }
    if (row.dirty) {
      const a = arg(row.dirty.arg);
      const id = objOf(a?.val);
      if (id !== undefined) {
        this.observe({ k: "dirty", node: this.node.id, call: row.name, obj: id, locked: row.dirty.locked, st });
        st.setObj(id, { dirtied: true });
      }
    }
    if (row.guard) {
      const a = arg(row.guard.arg);
      result = { t: "guard", kind: row.guard.kind, of: a?.val, arg: a ? keyOf(a.expr) : undefined };
    }
    if (row.dataDirection !== undefined) result = { t: "dir", of: exprText(arg(row.dataDirection)?.expr) };
    if (row.iterInit) {
      const it = arg(row.iterInit.iter);
      const dir = arg(row.iterInit.dirArg)?.val;
      const iter: Val = { t: "iter", backing: row.iterInit.backing, memory: dir?.t === "const" ? apiRow(dir.name)?.direction?.memory : undefined, node: this.node.id };
      const key = it ? keyOf(stripAddr(it.expr)) : undefined;
      if (key) st.set(key, iter);
      this.observe({ k: "iter", node: this.node.id, call: row.name, iter, st });
    }
    if (row.alloc && !result) result = { t: "kernel", array: row.alloc.yields !== "pages", at: this.node.id };
    return result;
  }

  private sleepEffect(row: ApiRow, x: Expr & { k: "call" }, st: PathState): void {
    let why: string | undefined;
    const sleeps = row.sleeps;
    if (sleeps === "always") why = `${row.name}() ${row.lock ? `takes ${row.lock.what}, which` : ""} may sleep`.replace(/\s+/g, " ");
    else if (sleeps && "unlessArgFalse" in sleeps) {
      const i = argIndex(sleeps.unlessArgFalse, x.args.length);
      const a = i === undefined ? undefined : x.args[i];
      if (!a || !isFalse(a, st, this)) why = `${row.name}() takes the page lock to dirty the pages and may sleep`;
    } else if (sleeps && "gfpArg" in sleeps) {
      const i = argIndex(sleeps.gfpArg, x.args.length);
      const a = i === undefined ? undefined : exprText(x.args[i]);
      if (a && /GFP_(KERNEL|USER|NOIO|NOFS|HIGHUSER)/.test(a) && !/ATOMIC|NOWAIT/.test(a)) why = `${row.name}(${a}) may sleep`;
    } else if (row.acquire && !row.acquire.atomicSafe && this.acquisitionMaySleep(row, x, st)) {
      why = `${row.name}() may sleep (it can fault pages in)`;
    }
    const gup = !!(row.acquire || row.release || row.dirty);
    if (why) this.observe({ k: "sleep", node: this.node.id, call: row.name, why, chain: [], gup, st });
  }

  /** Every acquisition can fault pages in, except one that extracts from an iterator known to be kernel-backed. */
  private acquisitionMaySleep(row: ApiRow, x: Expr & { k: "call" }, st: PathState): boolean {
    const spec = row.acquire!;
    if (spec.mode !== "extract") return true;
    const at = argIndex(spec.iter, x.args.length);
    const iter = at === undefined ? undefined : this.iteratorArg(x.args[at]!, undefined, st);
    return !(iter?.t === "iter" && iter.backing === "kernel");
  }

  /** The iterator an argument names: its value, or what the variable it points to (`&iter`) was built as. */
  private iteratorArg(expr: Expr, val: Val | undefined, st: PathState): Val | undefined {
    if (val?.t === "iter") return val;
    const key = keyOf(stripAddr(expr));
    const bound = key ? st.env.get(key) : undefined;
    return bound?.t === "iter" ? bound : val;
  }

  /** A sleep inside a helper the patch defines, seen at its call. */
  observeSleep(call: string, why: string, chain: string[], gup: boolean, st: PathState): void {
    this.observe({ k: "sleep", node: this.node.id, call, why, chain, gup, st });
  }

  /** One element of a multi-page acquisition, inside a loop: the loop works through the array. */
  private isElementOf(v: Val | undefined, st: PathState): boolean {
    if (this.node.loops.length === 0 || !v || v.t !== "page" || !v.element) return false;
    const o = st.obj(v.obj);
    return !!o && !o.site.single;
  }

  private acquire(row: ApiRow, x: Expr & { k: "call" }, args: (Val | undefined)[], st: PathState): Val | undefined {
    const spec = row.acquire!;
    const arity = x.args.length;
    const id = this.siteBase + this.node.id;
    const countAt = argIndex(spec.count, arity);
    const countExpr = countAt === undefined ? undefined : x.args[countAt];
    const count = countExpr ? exprText(countExpr) : undefined;
    const flagsAt = argIndex(spec.flags, arity);
    let flags = flagsAt === undefined ? undefined : flagsOf(args[flagsAt], x.args[flagsAt]);
    const writeAt = argIndex(spec.writeArg, arity);
    if (writeAt !== undefined) flags = writeArgFlags(x.args[writeAt]!, args[writeAt]);
    const callerFlags = flags;
    if (spec.implies) flags = orFlagsVal(flags, { must: spec.implies, may: spec.implies, open: false });
    const iterAt = argIndex(spec.iter, arity);
    let key: string | undefined;
    let single = count === "1";
    let bind: { key: string; val: Val } | undefined;
    let result: Val | undefined;
    if ("arg" in spec.pages) {
      const at = argIndex(spec.pages.arg, arity);
      const pe = at === undefined ? undefined : stripCasts(x.args[at]!);
      if (pe) {
        if (spec.pages.form === "array-ref" || (pe.k === "unary" && pe.op === "&" && spec.pages.form === "array")) {
          // &pages (an array the call fills or allocates) or &page (one page).
          const target = pe.k === "unary" && pe.op === "&" ? pe.arg : { k: "unary" as const, op: "*", arg: pe, row: pe.row };
          key = keyOf(target);
          if (spec.pages.form === "array" && pe.k === "unary") single = true;
          if (key) bind = { key, val: single && spec.pages.form === "array" ? { t: "page", obj: id, rel: "same", yields: "page", element: false } : { t: "arr", obj: id } };
        } else {
          const base = pe.k === "binary" ? stripCasts(pe.left) : pe;
          key = keyOf(base);
          const slice = pe.k === "binary" || (pe.k === "unary" && pe.op === "&");
          const cur = key ? st.env.get(key) : undefined;
          if (slice && cur?.t === "arr" && st.obj(cur.obj)?.status === "held") {
            // Filling more of an array that already holds pages: one object, count no longer known.
            st.setObj(cur.obj, { outcome: ALL_OUTCOMES, partly: true });
            return { t: "ret", obj: cur.obj };
          }
          if (key) bind = { key, val: { t: "arr", obj: id, slice: slice || undefined } };
        }
      }
    } else {
      result = spec.pages.returned === "page" ? { t: "page", obj: id, rel: "same", yields: "page", element: false } : { t: "arr", obj: id };
      if (spec.pages.returned === "page") single = true;
    }
    // Storage this function owns: a local page variable, a local array it declared or allocated, an array the call allocates.
    const bound = bind ? st.env.get(bind.key) : undefined;
    const declared = key ? this.types.get(key) : undefined;
    const localStorage = !!key && isLocalKey(key, this.locals) && !this.params.has(rootOf(key)) &&
      (bound?.t === "kernel" || !!declared?.array || (declared?.pointers === 1 && single) || ("arg" in spec.pages && spec.pages.form === "array-ref"));
    const site: Site = {
      id, call: row.name, row, mode: spec.mode, node: this.node.id, count, single, flags, callerFlags, key, localStorage,
      capacity: bound?.t === "kernel" ? bound.capacity : undefined, countIsLimit: spec.countIsLimit,
      container: bound?.t === "into" ? bound.root : key && !isLocalKey(key, this.locals) ? rootOf(key) : undefined,
      iter: iterAt === undefined ? undefined : this.iteratorArg(x.args[iterAt]!, args[iterAt], st), holds: HOLDS,
    };
    this.sites.set(id, site);
    let outcome = single ? NEG | ZERO | FULL : spec.returns === "bytes" ? NEG | ZERO | FULL : ALL_OUTCOMES;
    if (spec.returns === "array-or-err" || spec.returns === "page-or-err") outcome = NEG | FULL;
    if (spec.returns === "page-or-null") outcome = ZERO | FULL;
    let willPin: boolean | undefined;
    if (spec.mode === "extract") {
      const it = site.iter;
      if (it?.t === "iter") willPin = it.backing === "user";
    }
    st.putObj(id, { site, status: "held", outcome, willPin });
    if (bind) {
      // Other names for the same kernel array now name these pages too (page_array = pages; extract(&page_array)).
      if (bound?.t === "kernel" && bound.at !== undefined) {
        for (const [k, v] of st.env) if (k !== bind.key && v.t === "kernel" && v.at === bound.at) st.putEnv(k, bind.val);
      }
      st.set(bind.key, bind.val);
    }
    this.observe({ k: "acquire", node: this.node.id, site, st });
    return result ?? { t: "ret", obj: id };
  }

  /** An acquisition's raw result, possibly still a negative errno, used as an index or a count. */
  private countUse(v: Val | undefined, how: "index" | "release-count", st: PathState): void {
    if (v?.t !== "ret") return;
    const o = st.obj(v.obj);
    if (o && o.outcome & NEG) this.observe({ k: "count-use", node: this.node.id, obj: v.obj, how, st });
  }

  /** A release: observed with what it releases, then the object's state moves on. */
  release(row: ApiRow, rel: ReleaseEffect, x: Expr & { k: "call" }, args: (Val | undefined)[], st: PathState, viaHelper?: string): void {
    const arity = x.args.length;
    const at = argIndex(rel.target, arity);
    const target = at === undefined ? undefined : args[at];
    const countAt = argIndex(rel.count, arity);
    const countVal = countAt === undefined ? undefined : args[countAt];
    const dirtyAt = typeof rel.dirty === "number" ? argIndex(rel.dirty, arity) : undefined;
    const elementwise = rel.shape !== "array" && this.isElementOf(target, st);
    const id = objOf(target);
    this.countUse(countVal, "release-count", st);
    this.observe({
      k: "release", node: this.node.id, call: row.name, row, release: rel, target, obj: id,
      count: countAt === undefined ? undefined : exprText(x.args[countAt]), countVal,
      dirtyArg: dirtyAt === undefined ? undefined : exprText(x.args[dirtyAt]), elementwise, viaHelper, st,
      targetKey: at === undefined ? undefined : keyOf(x.args[at]!),
    });
    if (id === undefined) return;
    const o = st.obj(id);
    if (!o) return;
    const dirty = rel.dirty === "always" || (dirtyAt !== undefined && !isFalse(x.args[dirtyAt]!, st, this));
    if (o.extraRef && rel.kind === "put") {
      st.setObj(id, { extraRef: false });
      return;
    }
    if (elementwise) {
      const inner = this.node.loops[this.node.loops.length - 1]!;
      if (o.status === "held" && !o.each) st.setObj(id, { each: { op: "release", loop: inner, kind: rel.kind }, dirtied: o.dirtied || dirty });
      // Releasing the rest from inside the loop that hands the pages on, in a loop of its own.
      // (An ascending loop up to a bound: `while (i < n)`; one counting down releases what was handed on.)
      else if (o.status === "held" && o.each?.op === "escape" && o.each.loop !== inner && !this.cfg.zeroStart.has(inner) && this.loops.get(inner)?.bound !== undefined) {
        st.setObj(id, { rest: inner, dirtied: o.dirtied || dirty });
      }
      return;
    }
    const whole = rel.shape === "array" || rel.shape === "container" || rel.shape === "folio-array" || o.site.single || rel.shape === "range";
    if (target && (target.t === "arr" && target.slice)) {
      st.setObj(id, { partly: true, dirtied: o.dirtied || dirty });
      return;
    }
    if (!whole) {
      st.setObj(id, { partly: true, dirtied: o.dirtied || dirty });
      return;
    }
    st.setObj(id, { status: o.status === "held" || o.status === "escaped" ? "released" : o.status, releasedCount: countAt === undefined ? undefined : exprText(x.args[countAt]), dirtied: o.dirtied || dirty });
  }

  // ---- conditions --------------------------------------------------------------

  /** The states on the true and false side of an atom (null: that side cannot happen). */
  test(e: Expr, st: PathState, noEffects = false): [PathState | null, PathState | null] {
    const text = exprText(e);
    const known = st.facts.get(text);
    const pure = isPure(e);
    let v: Val | undefined | typeof DEAD;
    if (!noEffects || true) v = this.exec(e, st);
    if (v === DEAD) return [null, null];
    if (known !== undefined && pure) return known ? [st, null] : [null, st];
    let t: PathState | null = st.clone();
    let f: PathState | null = st.clone();
    const refined = this.refine(e, v, t, f);
    t = refined[0];
    f = refined[1];
    if (pure) {
      t?.setFact(text, true);
      f?.setFact(text, false);
    }
    // A warning's condition being true is a path the code itself says should not happen.
    if (this.node?.kind === "test" && this.node.warnTo !== undefined) {
      if (this.node.succ[0] === this.node.warnTo) t?.setFact(UNEXPECTED, true);
      if (this.node.succ[1] === this.node.warnTo) f?.setFact(UNEXPECTED, true);
    }
    return [t, f];
  }

  private refine(e: Expr, v: Val | undefined, t: PathState | null, f: PathState | null): [PathState | null, PathState | null] {
    const x = stripCasts(e);
    // A trylock holds the lock when it returns true.
    if (v?.t === "trylock" && t) t.atomic = [...t.atomic, { what: v.what, node: v.node }];
    if (v?.t === "guard") return this.refineGuard(v, t, f);
    // Truthiness of a value: `if (ret)`, `if (pages)`, `if (!page)`.
    if (x.k !== "binary" && v?.t === "status") return this.refineStatus(v, keyOf(x), t, f);
    if (x.k !== "binary") {
      const key = keyOf(x);
      if (v) {
        const mask = truthMask(v);
        if (mask !== undefined) {
          t = restrict(t, v, mask.nonzero);
          f = restrict(f, v, mask.zero);
        }
      }
      if (key) {
        if (f) {
          f.addNull(key);
        }
        t?.deleteNull(key);
      }
      return [t, f];
    }
    const op = x.op;
    if (!["<", "<=", ">", ">=", "==", "!="].includes(op)) return [t, f];
    // Normalise to `value op other`, the value being the tracked side.
    let lhs = x.left;
    let rhs = x.right;
    let o = op;
    let lv = this.peek(lhs, t ?? f!);
    let rv = this.peek(rhs, t ?? f!);
    if (!isTracked(lv) && isTracked(rv)) {
      [lhs, rhs] = [rhs, lhs];
      [lv, rv] = [rv, lv];
      o = flip(op);
    }
    // Data direction: bio_data_dir(bio) == READ.
    if (lv?.t === "dir" && rv?.t === "const") {
      const mem = apiRow(rv.name)?.direction?.memory;
      if (mem) {
        const eq = o === "==";
        const other = mem === "written" ? "read" : "written";
        t?.setFact(`@memory:${lv.of}`, true);
        if (t) t.setFact(`@dir:${lv.of}`, (eq ? mem : other) === "written");
        if (f) f.setFact(`@dir:${lv.of}`, (eq ? other : mem) === "written");
      }
      return [t, f];
    }
    if (!lv) return [t, f];
    if (lv.t === "status" && rv?.t === "num" && rv.mask === ZERO) {
      // ret < 0 and ret != 0 are failure when true; ret == 0 and ret >= 0 when false.
      if (o === "<" || o === "!=") return this.refineStatus(lv, keyOf(lhs), t, f);
      if (o === "==" || o === ">=") return this.refineStatus(lv, keyOf(lhs), f, t).reverse() as [PathState | null, PathState | null];
      return [t, f];
    }
    if (lv.t === "ret" || lv.t === "num") {
      const count = (t ?? f!) && lv.t === "ret" ? (t ?? f)!.obj(lv.obj)?.site.count : undefined;
      const other = exprText(rhs);
      const otherVal = rv;
      let relation: "zero" | "count" | "one" | undefined;
      if (otherVal?.t === "num" && otherVal.mask === ZERO) relation = "zero";
      else if (count && other === count) relation = "count";
      else if (other === "1" && lv.t === "ret" && (t ?? f)!.obj(lv.obj)?.site.single) relation = "count";
      else if (otherVal?.t === "ret" && otherVal.obj === (lv as { obj?: number }).obj) relation = undefined;
      if (relation === undefined && otherVal?.t === "num" && lv.t === "ret") {
        // A comparison with a constant other than 0 says nothing exact about the outcome.
        return [t, f];
      }
      if (!relation) return [t, f];
      const masks = compareMasks(o, relation);
      return [restrict(t, lv, masks.yes), restrict(f, lv, masks.no)];
    }
    // Pointers compared with NULL.
    if (rv?.t === "null" || (rhs.k === "id" && rhs.name === "NULL") || (rhs.k === "num" && rhs.text === "0")) {
      const mask = truthMask(lv);
      const key = keyOf(lhs);
      const eq = o === "==";
      if (mask) {
        t = restrict(t, lv, eq ? mask.zero : mask.nonzero);
        f = restrict(f, lv, eq ? mask.nonzero : mask.zero);
      }
      if (key) {
        (eq ? t : f)?.addNull(key);
        (eq ? f : t)?.deleteNull(key);
      }
    }
    return [t, f];
  }

  /** `failed` is the side where the call failed: what it stored is held again, and the value is an errno. */
  private refineStatus(v: Val & { t: "status" }, key: string | undefined, failed: PathState | null, ok: PathState | null): [PathState | null, PathState | null] {
    if (failed) {
      for (const id of v.stored) if (failed.obj(id)?.status === "escaped") failed.setObj(id, { status: "held" });
      if (key) failed.set(key, { t: "num", mask: NEG });
    }
    if (ok && key) ok.set(key, { t: "num", mask: ZERO });
    return [failed, ok];
  }

  private refineGuard(v: Val & { t: "guard" }, t: PathState | null, f: PathState | null): [PathState | null, PathState | null] {
    const id = objOf(v.of);
    switch (v.kind) {
      case "error-value":
        if (v.of && (v.of.t === "ret" || v.of.t === "num")) return [restrict(t, v.of, NEG), restrict(f, v.of, ALL_OUTCOMES & ~NEG)];
        return [t, f];
      case "error-pointer":
      case "error-or-null":
        if (v.of && truthMask(v.of)) {
          const yes = v.kind === "error-pointer" ? NEG : NEG | ZERO;
          return [restrict(t, v.of, yes), restrict(f, v.of, ALL_OUTCOMES & ~yes)];
        }
        return [t, f];
      case "highmem":
        if (id !== undefined) {
          t?.setObj(id, { highmemTested: true });
          f?.setObj(id, { highmemTested: true });
        }
        if (v.arg) {
          t?.setFact(`@highmem:${v.arg}`, true);
          f?.setFact(`@highmem:${v.arg}`, false);
        }
        return [t, f];
      case "will-pin":
      case "user-backed":
      case "kernel-backed": {
        const pins = v.kind !== "kernel-backed";
        for (const s of [t, f]) {
          if (!s) continue;
          const yes = s === t ? pins : !pins;
          for (const [oid, o] of s.objs) if (o.site.mode === "extract" && sameIter(o.site.iter, v.arg)) s.setObj(oid, { willPin: yes });
          if (v.arg) s.setFact(`@willpin:${v.arg}`, yes);
        }
        return [t, f];
      }
      case "request-writes":
        t?.setFact(`@dir:${v.arg ?? ""}`, false);
        f?.setFact(`@dir:${v.arg ?? ""}`, true);
        t?.setFact("@request-memory-read", true);
        f?.setFact("@request-memory-read", false);
        return [t, f];
      default:
        return [t, f];
    }
  }

  /** A value without effects (the test already ran them). */
  private peek(e: Expr, st: PathState): Val | undefined {
    const x = stripCasts(e);
    if (x.k === "num") return numberVal(x.text);
    if (x.k === "unary" && x.op === "-" && x.arg.k === "id" && /^E[A-Z0-9]+$/.test(x.arg.name)) return { t: "num", mask: NEG };
    const key = keyOf(x);
    if (key) {
      if (st.env.has(key)) return st.env.get(key);
      if (st.nulls.has(key)) return { t: "null" };
      if (x.k === "id" && x.name === "NULL") return { t: "null" };
      if (x.k === "id" && apiRow(x.name)?.direction) return { t: "const", name: x.name };
    }
    if (x.k === "call" && this.callResults.has(x)) return this.callResults.get(x);
    if (x.k === "call" && x.fn) {
      const row = apiRow(x.fn);
      if (row?.dataDirection !== undefined) return { t: "dir", of: exprText(x.args[argIndex(row.dataDirection, x.args.length) ?? 0]) };
      if (row?.passesValue !== undefined) return this.peek(x.args[argIndex(row.passesValue, x.args.length) ?? 0]!, st);
    }
    if (x.k === "assign") return this.peek(x.left, st);
    return undefined;
  }

  // ---- return classes ------------------------------------------------------------

  private isFailure(e: Expr | undefined, v: Val | undefined, st: PathState): boolean {
    if (!e) return false;
    const x = stripCasts(e);
    if (x.k === "cond") return this.isFailure(x.then, undefined, st) && this.isFailure(x.else, undefined, st);
    if (v?.t === "num") return v.mask === NEG;
    if (v?.t === "ret") {
      const o = st.obj(v.obj);
      return !!o && (o.outcome & ~NEG) === 0;
    }
    if (x.k === "call" && x.fn && apiRow(x.fn)?.errorValue) return true;
    const ret = this.view.pieces[0]!.ast.returnType;
    if (v?.t === "null" && this.view.headShown && ret.pointers > 0) return true;
    if (x.k === "id" && x.name === "false" && this.view.headShown && /\bbool\b/.test(ret.text)) return true;
    return false;
  }

  // ---- loops ------------------------------------------------------------------------

  /** Loop bounds and the arrays each loop's body releases or hands on element by element. */
  private scanLoops(): void {
    // Arrays each loop indexes, for loops whose body releases or stores pages anywhere.
    const indexed = new Map<number, Set<string>>();
    const consumes = new Set<number>();
    for (const n of this.cfg.nodes) {
      const e = n.expr ?? n.decl?.init;
      if (!e || n.loops.length === 0) continue;
      const bases = indexBases(e);
      const effect = callsIn(e).some((c) => {
        const row = c.fn ? apiRow(c.fn) : undefined;
        return !!row?.release || !!row?.sinks?.some((k) => k.stores) || (!row && !!c.fn && !!this.env.summaryOf(c.fn));
      });
      for (const loop of n.loops) {
        if (effect) consumes.add(loop);
        const set = indexed.get(loop) ?? new Set();
        for (const b of bases) set.add(b);
        indexed.set(loop, set);
      }
    }
    for (const [loop, set] of indexed) if (consumes.has(loop)) this.loopConsumes.set(loop, set);

    for (const n of this.cfg.nodes) {
      if (n.loopHead !== undefined && n.kind === "test" && n.expr) {
        const x = stripCasts(n.expr);
        if (x.k === "binary" && (x.op === "<" || x.op === "!=" || x.op === "<=")) {
          const info = this.loops.get(n.loopHead) ?? {};
          info.index = exprText(x.left);
          info.bound = exprText(x.right);
          this.loops.set(n.loopHead, info);
        }
      }
    }
    for (const n of this.cfg.nodes) {
      if (n.loops.length === 0) continue;
      const loop = n.loops[n.loops.length - 1]!;
      // Only code that runs on every pass counts: a node inside a branch of the body does not.
      if (!this.runsEveryPass(n, loop)) continue;
      for (const call of callsIn(n.expr)) {
        const row = call.fn ? apiRow(call.fn) : undefined;
        const summary = call.fn ? this.env.summaryOf(call.fn) : undefined;
        const releasedArg = row?.release ? argIndex(row.release.target, call.args.length) : summary?.releasesParam();
        const storedArg = row?.sinks?.find((s) => s.stores)?.arg;
        for (const [pos, op] of [[releasedArg, "release"], [storedArg === undefined ? undefined : argIndex(storedArg, call.args.length), "escape"]] as const) {
          if (pos === undefined) continue;
          const a = call.args[pos];
          const base = a ? arrayBase(a) : undefined;
          if (!base) continue;
          const ops = this.loopOps.get(loop) ?? new Map();
          ops.set(base, op);
          this.loopOps.set(loop, ops);
        }
      }
    }
  }

  /** The node is reached on every pass of `loop` (no test of the body's own between the loop head and it). */
  private runsEveryPass(n: CfgNode, loop: number): boolean {
    // Walk back along single predecessors inside the loop until the head.
    const preds = predecessors(this.cfg);
    let at = n.id;
    for (let guard = 0; guard < 10_000; guard++) {
      const p = preds.get(at) ?? [];
      const inside = p.filter((id) => this.cfg.nodes[id]!.loops.includes(loop) || this.cfg.nodes[id]!.loopHead === loop);
      if (inside.length !== 1) return false;
      const prev = this.cfg.nodes[inside[0]!]!;
      if (prev.loopHead === loop) return true;
      if (prev.kind === "test" || prev.kind === "choice") return false;
      at = prev.id;
    }
    return false;
  }
}

export const DEAD = Symbol("dead");

/** The fact set on a path once the variable holding an acquisition's requested count is assigned again. */
export function recountFact(obj: number): string {
  return `@recount:${obj}`;
}

/** The fact set on paths where a WARN_ON() condition held: rules do not report leaks there. */
export const UNEXPECTED = "@unexpected";

// ---- helpers ----------------------------------------------------------------------

function single(st: PathState): Map<string, PathState> {
  return new Map([[st.signature(), st]]);
}

/** Paths that agree on every acquisition become one; what else they knew is kept where they agree. */
function mergeByProperty(states: Map<string, PathState>): Map<string, PathState> {
  const groups = new Map<string, PathState[]>();
  for (const s of states.values()) {
    const k = s.propertySignature();
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const out = new Map<string, PathState>();
  for (const g of groups.values()) {
    const m = g.length === 1 ? g[0]! : widen(g);
    out.set(m.signature(), m);
  }
  return out;
}

function copyInto(to: PathState, from: PathState): void {
  to.adopt(from);
}

function numberVal(text: string): Val | undefined {
  const n = Number(text.replace(/[uUlL]+$/, ""));
  if (Number.isNaN(n)) return undefined;
  return { t: "num", mask: n === 0 ? ZERO : n < 0 ? NEG : FULL };
}

function negate(mask: number): number {
  let out = 0;
  if (mask & NEG) out |= FULL;
  if (mask & ZERO) out |= ZERO;
  if (mask & (SHORT | FULL)) out |= NEG;
  return out;
}

function isTracked(v: Val | undefined): boolean {
  return !!v && (v.t === "ret" || v.t === "arr" || v.t === "page" || v.t === "dir" || (v.t === "num" && v.mask !== ZERO));
}

function flip(op: string): string {
  return op === "<" ? ">" : op === ">" ? "<" : op === "<=" ? ">=" : op === ">=" ? "<=" : op;
}

/** Outcome masks of `ret OP other` being true (yes) and false (no). */
function compareMasks(op: string, relation: "zero" | "count" | "one"): { yes: number; no: number } {
  const pos = SHORT | FULL;
  if (relation === "zero") {
    switch (op) {
      case "<": return { yes: NEG, no: ZERO | pos };
      case "<=": return { yes: NEG | ZERO, no: pos };
      case ">": return { yes: pos, no: NEG | ZERO };
      case ">=": return { yes: ZERO | pos, no: NEG };
      case "==": return { yes: ZERO, no: NEG | pos };
      case "!=": return { yes: NEG | pos, no: ZERO };
    }
  }
  // Against the requested count.
  switch (op) {
    case "<": return { yes: NEG | ZERO | SHORT, no: FULL };
    case "<=": return { yes: ALL_OUTCOMES, no: 0 };
    case ">": return { yes: 0, no: ALL_OUTCOMES };
    case ">=": return { yes: FULL, no: NEG | ZERO | SHORT };
    case "==": return { yes: FULL, no: NEG | ZERO | SHORT };
    case "!=": return { yes: NEG | ZERO | SHORT, no: FULL };
  }
  return { yes: ALL_OUTCOMES, no: ALL_OUTCOMES };
}

/** For a value tested for truth: the outcomes in which it is zero/NULL and nonzero. */
function truthMask(v: Val): { zero: number; nonzero: number } | undefined {
  if (v.t === "ret") return { zero: ZERO, nonzero: NEG | SHORT | FULL };
  // A returned page or array: NULL is ZERO, an ERR_PTR is NEG (non-NULL).
  if ((v.t === "arr" || v.t === "page") && !("slice" in v && v.slice)) return { zero: ZERO, nonzero: NEG | SHORT | FULL };
  if (v.t === "num") return { zero: ZERO, nonzero: NEG | SHORT | FULL };
  return undefined;
}

/** Keeps the paths where the value's outcome is in `mask`; null when none is left. */
function restrict(st: PathState | null, v: Val, mask: number): PathState | null {
  if (!st) return null;
  if (v.t === "num") return (v.mask & mask) === 0 ? null : st;
  const id = v.t === "ret" || v.t === "arr" || v.t === "page" ? v.obj : undefined;
  if (id === undefined) return st;
  const o = st.obj(id);
  if (!o) return st;
  // Only the acquisition's own result says which outcome happened.
  if ((v.t === "arr" || v.t === "page") && v.t === "page" && v.element) return st;
  const outcome = o.outcome & mask;
  if (outcome === 0) return null;
  st.setObj(id, { outcome });
  return st;
}

function orFlags(a: Val | undefined, b: Val | undefined): Val {
  const fa = flagsOf(a);
  const fb = flagsOf(b);
  return { t: "flags", flags: orFlagsVal(fa, fb)! };
}

function orFlagsVal(a: FlagsVal | undefined, b: FlagsVal | undefined): FlagsVal | undefined {
  if (!a) return b;
  if (!b) return a;
  return { must: [...new Set([...a.must, ...b.must])], may: [...new Set([...a.may, ...b.may])], open: a.open || b.open };
}

function joinFlags(a: Val | undefined, b: Val | undefined): Val {
  const fa = flagsOf(a) ?? { must: [], may: [], open: true };
  const fb = flagsOf(b) ?? { must: [], may: [], open: true };
  return { t: "flags", flags: { must: fa.must.filter((f) => fb.must.includes(f)), may: [...new Set([...fa.may, ...fb.may])], open: fa.open || fb.open } };
}

/** A flags value from what an expression evaluated to (0 and 1 are the numeric flags). */
export function flagsOf(v: Val | undefined, e?: Expr): FlagsVal | undefined {
  if (v?.t === "flags") return v.flags;
  if (v?.t === "num") {
    if (v.mask === ZERO) return { must: [], may: [], open: false };
    const text = e ? exprText(e) : "";
    if (text === "1") return { must: ["FOLL_WRITE"], may: ["FOLL_WRITE"], open: false };
  }
  if (e && e.k === "id" && (e.name === "true" || e.name === "false")) return e.name === "true" ? { must: ["FOLL_WRITE"], may: ["FOLL_WRITE"], open: false } : { must: [], may: [], open: false };
  return { must: [], may: [], open: true };
}

/** get_vaddr_frames(start, n, write, vec): a bool that means FOLL_WRITE (or gup_flags on older trees). */
function writeArgFlags(e: Expr, v: Val | undefined): FlagsVal {
  if (v?.t === "flags") return v.flags;
  const text = exprText(e);
  if (text === "true" || text === "1") return { must: ["FOLL_WRITE"], may: ["FOLL_WRITE"], open: false };
  if (text === "false" || text === "0") return { must: [], may: [], open: false };
  return { must: [], may: ["FOLL_WRITE"], open: true };
}

/** The expression is false (a literal, or a value known false on this path). */
function isFalse(e: Expr, st: PathState, engine: Engine): boolean {
  const text = exprText(e);
  if (text === "false" || text === "0") return true;
  if (st.facts.get(text) === false) return true;
  void engine;
  return false;
}

/** Calls inside an expression, outermost last. */
export function callsIn(e: Expr | undefined): (Expr & { k: "call" })[] {
  const out: (Expr & { k: "call" })[] = [];
  if (!e) return out;
  const stack: Expr[] = [e];
  let guard = 0;
  while (stack.length > 0 && guard++ < 10_000) {
    const x = stack.pop()!;
    switch (x.k) {
      case "call":
        out.push(x);
        stack.push(...x.args);
        break;
      case "field": stack.push(x.base); break;
      case "index": stack.push(x.base, x.index); break;
      case "unary": case "cast": case "update": stack.push(x.arg); break;
      case "binary": case "assign": stack.push(x.left, x.right); break;
      case "cond": stack.push(x.test, x.then, x.else); break;
      case "comma": case "list": stack.push(...x.items); break;
      default: break;
    }
  }
  return out;
}

/** The keys of every array an expression indexes. */
function indexBases(e: Expr): string[] {
  const out: string[] = [];
  const stack: Expr[] = [e];
  let guard = 0;
  while (stack.length > 0 && guard++ < 5000) {
    const x = stack.pop()!;
    switch (x.k) {
      case "index": {
        const k = keyOf(x.base);
        if (k) out.push(k);
        stack.push(x.base, x.index);
        break;
      }
      case "call": stack.push(...x.args); break;
      case "field": stack.push(x.base); break;
      case "unary": case "cast": case "update": stack.push(x.arg); break;
      case "binary": case "assign": stack.push(x.left, x.right); break;
      case "cond": stack.push(x.test, x.then, x.else); break;
      case "comma": case "list": stack.push(...x.items); break;
      default: break;
    }
  }
  return out;
}

/** `pages[i]`, `&pages[i]`, `pages + i`: the array's key. */
function arrayBase(e: Expr): string | undefined {
  const x = stripCasts(e);
  if (x.k === "index") return keyOf(x.base);
  if (x.k === "unary" && x.op === "&") return arrayBase(x.arg);
  if (x.k === "binary" && (x.op === "+" || x.op === "-")) return keyOf(x.left);
  if (x.k === "field") return arrayBase(x.base);
  return undefined;
}

function stripAddr(e: Expr): Expr {
  const x = stripCasts(e);
  return x.k === "unary" && x.op === "&" ? x.arg : { k: "unary", op: "*", arg: x, row: x.row };
}

function sameIter(v: Val | undefined, key: string | undefined): boolean {
  if (!key) return false;
  return !!v;
}

/** No calls except pure queries: the same text means the same value while its variables are unchanged. */
function isPure(e: Expr): boolean {
  for (const c of callsIn(e)) {
    const row = c.fn ? apiRow(c.fn) : undefined;
    if (!row || !(row.guard || row.passesValue !== undefined || row.dataDirection !== undefined || row.structPageQuery || row.derive)) return false;
  }
  let pure = true;
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x.k === "assign" || x.k === "update") pure = false;
    if (x.k === "binary") stack.push(x.left, x.right);
    else if (x.k === "unary" || x.k === "cast") stack.push(x.arg);
    else if (x.k === "field") stack.push(x.base);
    else if (x.k === "index") stack.push(x.base, x.index);
  }
  return pure;
}

/** Parameters and the names a function declares, in every piece. */
function collectLocals(view: FunctionView, locals: Set<string>, params: Map<string, number>, types: Map<string, import("./c-ast.js").TypeInfo>): void {
  const first = view.pieces[0]!;
  if (view.headShown) first.ast.params.forEach((p, i) => {
    params.set(p.name, i);
    types.set(p.name, p.type);
  });
  for (const p of params.keys()) locals.add(p);
  // A fragment's parameters are not locals it owns, but their declared types
  // are in the hunk header git printed: `static void ubuf_unmap(struct ubuf *ub)`.
  if (!view.headShown) for (const p of headerParams(first.hunk.header)) if (!types.has(p.name)) types.set(p.name, p.type);
  for (const piece of view.pieces) {
    const stack: Stmt[] = [piece.ast.body];
    while (stack.length > 0) {
      const s = stack.pop()!;
      switch (s.k) {
        case "decl": for (const v of s.vars) { locals.add(v.name); types.set(v.name, v.type); } break;
        case "block": stack.push(...s.items); break;
        case "if": stack.push(s.then); if (s.else) stack.push(s.else); break;
        case "while": case "do": case "switch": stack.push(s.body); break;
        case "for": if (s.init) stack.push(s.init); stack.push(s.body); break;
        case "case": stack.push(...s.items); break;
        case "label": if (s.body) stack.push(s.body); break;
        case "pp-if": stack.push(...s.then, ...s.else); break;
        default: break;
      }
    }
  }
}

const headerParamCache = new Map<string, readonly import("./c-ast.js").Param[]>();

/** The parameters of the function signature in a hunk header's context, when it shows a whole one. */
function headerParams(header: string): readonly import("./c-ast.js").Param[] {
  const context = /^@@[^@]*@@\s?(.*)$/.exec(header)?.[1]?.trim() ?? "";
  if (!/^[A-Za-z_][^;{}]*\([^;{}]*\)$/.test(context)) return [];
  let params = headerParamCache.get(context);
  if (!params) {
    params = parseTranslation(`${context} {}`).functions[0]?.params ?? [];
    if (headerParamCache.size > 1024) headerParamCache.clear();
    headerParamCache.set(context, params);
  }
  return params;
}

function reversePostorder(cfg: Cfg): number[] {
  const seen = new Set<number>();
  const post: number[] = [];
  const stack: { id: number; i: number }[] = [{ id: cfg.entry, i: 0 }];
  seen.add(cfg.entry);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const succ = cfg.nodes[top.id]!.succ;
    if (top.i < succ.length) {
      const next = succ[top.i++]!;
      if (!seen.has(next)) {
        seen.add(next);
        stack.push({ id: next, i: 0 });
      }
    } else {
      post.push(top.id);
      stack.pop();
    }
  }
  return post.reverse();
}

const predCache = new WeakMap<Cfg, Map<number, number[]>>();
export function predecessors(cfg: Cfg): Map<number, number[]> {
  let p = predCache.get(cfg);
  if (p) return p;
  p = new Map();
  for (const n of cfg.nodes) for (const s of n.succ) p.set(s, [...(p.get(s) ?? []), n.id]);
  predCache.set(cfg, p);
  return p;
}

/** Replaces a macro's parameters with the call's arguments. */
function substitute(body: Expr, params: string[], args: Expr[]): Expr {
  const map = new Map(params.map((p, i) => [p, args[i]]));
  const copy = (e: Expr): Expr => {
    switch (e.k) {
      case "id": return map.get(e.name) ?? e;
      case "call": return { ...e, callee: copy(e.callee), args: e.args.map(copy) };
      case "field": return { ...e, base: copy(e.base) };
      case "index": return { ...e, base: copy(e.base), index: copy(e.index) };
      case "unary": case "cast": case "update": return { ...e, arg: copy(e.arg) } as Expr;
      case "binary": case "assign": return { ...e, left: copy(e.left), right: copy(e.right) } as Expr;
      case "cond": return { ...e, test: copy(e.test), then: copy(e.then), else: copy(e.else) };
      case "comma": case "list": return { ...e, items: e.items.map(copy) } as Expr;
      default: return e;
    }
  };
  return copy(body);
}

export { rootOf };
