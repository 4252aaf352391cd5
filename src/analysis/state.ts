// One path's state: the acquisitions it holds (with their possible
// outcomes), what each storage key holds, the conditions known on the path,
// the atomic-section depth and whether the path crossed code not shown.
// States are copied on write; equal states are merged (ESP: paths are kept
// apart only while what the rules look at differs).
import { dependsOn, sameVal, type Obj, type Val } from "./values.js";

export interface AtomicSection {
  what: string;
  /** The node that entered it (a lock call), or the function's registration. */
  node: number;
}

export class PathState {
  // Copied on write: a clone shares its parent's maps until it changes one
  // (most nodes change little, and cloning every map per node dominated).
  private _objs: Map<number, Obj>;
  private _env: Map<string, Val>;
  private _facts: Map<string, boolean>;
  private _nulls: Set<string>;
  private owned = 0;
  /** Atomic sections entered and not left, innermost last. */
  atomic: AtomicSection[];
  /** The path crossed code the patch does not show. */
  gap: boolean;
  /** The goto or return where the path left the straight flow: the first forward goto, else the return (a backward goto starts over). */
  jump?: number;
  /** The last loop the path left abnormally (break, goto or return out of it). */
  leftEarly?: number;
  private sig?: string;

  constructor(from?: PathState) {
    this._objs = from ? from._objs : new Map();
    this._env = from ? from._env : new Map();
    this._facts = from ? from._facts : new Map();
    this._nulls = from ? from._nulls : new Set();
    this.owned = from ? 0 : 15;
    this.atomic = from ? from.atomic : [];
    this.gap = from?.gap ?? false;
    this.jump = from?.jump;
    this.leftEarly = from?.leftEarly;
  }

  get objs(): ReadonlyMap<number, Obj> {
    return this._objs;
  }
  get env(): ReadonlyMap<string, Val> {
    return this._env;
  }
  /** Normalised condition text -> its value on this path. */
  get facts(): ReadonlyMap<string, boolean> {
    return this._facts;
  }
  /** Keys known to hold NULL. */
  get nulls(): ReadonlySet<string> {
    return this._nulls;
  }

  private own(bit: number): void {
    this.sig = undefined;
    if (this.owned & bit) return;
    this.owned |= bit;
    if (bit === 1) this._objs = new Map(this._objs);
    else if (bit === 2) this._env = new Map(this._env);
    else if (bit === 4) this._facts = new Map(this._facts);
    else this._nulls = new Set(this._nulls);
  }

  putObj(id: number, o: Obj): void {
    this.own(1);
    this._objs.set(id, o);
  }
  deleteObj(id: number): void {
    this.own(1);
    this._objs.delete(id);
  }
  putEnv(key: string, v: Val): void {
    this.own(2);
    this._env.set(key, v);
  }
  deleteEnv(key: string): void {
    if (!this._env.has(key)) return;
    this.own(2);
    this._env.delete(key);
  }
  setFact(text: string, value: boolean): void {
    this.own(4);
    this._facts.set(text, value);
  }
  deleteFact(text: string): void {
    this.own(4);
    this._facts.delete(text);
  }
  addNull(key: string): void {
    if (this._nulls.has(key)) return;
    this.own(8);
    this._nulls.add(key);
  }
  deleteNull(key: string): void {
    if (!this._nulls.has(key)) return;
    this.own(8);
    this._nulls.delete(key);
  }
  /** Takes over another state's knowledge (BUG_ON() refines the state in place). */
  adopt(from: PathState): void {
    this._objs = from._objs;
    this._env = from._env;
    this._facts = from._facts;
    this._nulls = from._nulls;
    this.owned = 0;
    this.sig = undefined;
    this.atomic = from.atomic;
  }

  clone(): PathState {
    return new PathState(this);
  }

  obj(id: number): Obj | undefined {
    return this.objs.get(id);
  }

  setObj(id: number, change: Partial<Obj>): void {
    const o = this._objs.get(id);
    if (o) this.putObj(id, { ...o, ...change });
  }

  /** Stores `v` under `key` (or forgets it), forgetting what was reached through the old value. */
  set(key: string, v: Val | undefined): void {
    for (const k of [...this._env.keys()]) if (k !== key && dependsOn(k, key)) this.deleteEnv(k);
    for (const k of [...this._nulls]) if (dependsOn(k, key)) this.deleteNull(k);
    if (v) this.putEnv(key, v);
    else this.deleteEnv(key);
    if (v?.t === "null") this.addNull(key);
    this.forgetFacts(key);
  }

  /** Conditions that mention `key`'s variable no longer hold once it changes. */
  forgetFacts(key: string): void {
    if (this.facts.size === 0) return;
    const root = /^[*&]*([A-Za-z_]\w*)/.exec(key)?.[1];
    if (!root) return;
    for (const f of [...this._facts.keys()]) if (identifiersOf(f).has(root)) this.deleteFact(f);
  }

  /** A gap: anything may have happened to what the path knew. */
  crossGap(): void {
    for (const [id, o] of this._objs) if (o.status === "held" || o.each) this.putObj(id, { ...o, status: "unknown", each: undefined });
    this._env = new Map();
    this._facts = new Map();
    this._nulls = new Set();
    this.owned |= 14;
    this.sig = undefined;
    this.atomic = [];
    this.gap = true;
  }

  /** The text of what the acquisitions are in (and the atomic depth): states equal here merge first. */
  propertySignature(): string {
    const parts: string[] = [];
    for (const [id, o] of [...this.objs].sort((a, b) => a[0] - b[0])) {
      parts.push(`${id}:${o.status}:${o.outcome}:${o.each ? `${o.each.op}${o.each.loop}` : ""}:${o.extraRef ? 1 : 0}${o.willPin === undefined ? "u" : o.willPin ? 1 : 0}${o.freed ? 1 : 0}${o.partly ? 1 : 0}${o.remainder ? 1 : 0}${o.rest ?? ""}`);
    }
    parts.push(`a${this.atomic.length}`, `g${this.gap ? 1 : 0}`, `u${this.facts.get("@unexpected") ? 1 : 0}`);
    return parts.join("|");
  }

  /** A canonical text of everything the rules look at, for merging equal states (kept until the state changes). */
  signature(): string {
    if (this.sig !== undefined) return this.sig;
    this.sig = this.computeSignature();
    return this.sig;
  }

  private computeSignature(): string {
    const parts: string[] = [];
    for (const [id, o] of [...this.objs].sort((a, b) => a[0] - b[0])) {
      parts.push(`${id}:${o.status}:${o.outcome}:${o.each ? `${o.each.op}${o.each.loop}` : ""}:${o.releasedCount ?? ""}:${o.extraRef ? 1 : 0}${o.dirtied ? 1 : 0}${o.willPin === undefined ? "u" : o.willPin ? 1 : 0}${o.highmemTested ? 1 : 0}${o.freed ? 1 : 0}${o.partly ? 1 : 0}${o.remainder ? 1 : 0}${o.rest ?? ""}`);
    }
    for (const [k, v] of [...this.env].sort((a, b) => (a[0] < b[0] ? -1 : 1))) parts.push(`${k}=${valKey(v)}`);
    for (const [k, v] of [...this.facts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) parts.push(`?${k}=${v ? 1 : 0}`);
    for (const k of [...this.nulls].sort()) parts.push(`!${k}`);
    parts.push(`a${this.atomic.map((a) => a.node).join(",")}`, `g${this.gap ? 1 : 0}`, `j${this.jump ?? ""}`, `l${this.leftEarly ?? ""}`);
    return parts.join("|");
  }
}

/** The identifiers a condition's text mentions (memoised: the same texts come back on every path). */
const identifierCache = new Map<string, Set<string>>();
function identifiersOf(text: string): Set<string> {
  let ids = identifierCache.get(text);
  if (!ids) {
    ids = new Set(text.match(/[A-Za-z_]\w*/g) ?? []);
    if (identifierCache.size > 50_000) identifierCache.clear();
    identifierCache.set(text, ids);
  }
  return ids;
}

/** A short canonical text of a value (signatures are built for every state added at a node). */
export function valKey(v: Val): string {
  switch (v.t) {
    case "ret": return `r${v.obj}`;
    case "arr": return `a${v.obj}${v.slice ? "s" : ""}${v.derived ?? ""}${v.derivedAt ?? ""}`;
    case "page": return `p${v.obj}${v.rel}${v.yields}${v.element ? "e" : ""}`;
    case "vaddr": return `v${v.obj}${v.safe ? "s" : ""}${v.mapper}`;
    case "kernel": return `k${v.array ? "a" : ""}${v.capacity ?? ""}@${v.at ?? ""}`;
    case "null": return "n";
    case "const": return `c${v.name}`;
    case "flags": return `f${v.flags.must.join(",")}/${v.flags.may.join(",")}${v.flags.open ? "o" : ""}`;
    case "num": return `#${v.mask}`;
    case "iter": return `i${v.backing}${v.memory ?? ""}${v.node}`;
    case "guard": return `g${v.kind}${v.arg ?? ""}${v.of ? valKey(v.of) : ""}`;
    case "dir": return `d${v.of ?? ""}`;
    case "trylock": return `t${v.node}`;
    case "into": return `>${v.root}`;
    case "status": return `s${v.stored.join(",")}`;
  }
}

/**
 * One state standing for several: what they agree on is kept, what differs
 * becomes unknown. Atomic depth merges to the shallowest (fewer false alarms).
 */
export function widen(states: PathState[]): PathState {
  const out = states[0]!.clone();
  for (const s of states.slice(1)) {
    for (const [id, o] of out.objs) {
      const other = s.objs.get(id);
      if (!other) {
        out.putObj(id, { ...o, status: "unknown", each: undefined });
        continue;
      }
      if (other.status !== o.status || other.each?.op !== o.each?.op) out.putObj(id, { ...o, status: "unknown", each: undefined, outcome: o.outcome | other.outcome });
      else if (other.outcome !== o.outcome || other.willPin !== o.willPin) out.putObj(id, { ...o, outcome: o.outcome | other.outcome, willPin: other.willPin === o.willPin ? o.willPin : undefined });
    }
    for (const [id, o] of s.objs) if (!out.objs.has(id)) out.putObj(id, { ...o, status: "unknown", each: undefined });
    for (const [k, v] of [...out.env]) if (!sameVal(v, s.env.get(k))) out.deleteEnv(k);
    for (const [k, v] of [...out.facts]) if (s.facts.get(k) !== v) out.deleteFact(k);
    for (const k of [...out.nulls]) if (!s.nulls.has(k)) out.deleteNull(k);
    if (s.atomic.length < out.atomic.length) out.atomic = [...s.atomic];
    out.gap ||= s.gap;
    if (out.jump !== s.jump) out.jump = undefined;
    if (out.leftEarly !== s.leftEarly) out.leftEarly = undefined;
  }
  return out;
}
