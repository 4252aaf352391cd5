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
  objs: Map<number, Obj>;
  env: Map<string, Val>;
  /** Normalised condition text -> its value on this path. */
  facts: Map<string, boolean>;
  /** Keys known to hold NULL. */
  nulls: Set<string>;
  /** Atomic sections entered and not left, innermost last. */
  atomic: AtomicSection[];
  /** The path crossed code the patch does not show. */
  gap: boolean;
  /** The last goto or return on the path. */
  jump?: number;
  /** The last loop the path left abnormally (break, goto or return out of it). */
  leftEarly?: number;

  constructor(from?: PathState) {
    this.objs = from ? new Map(from.objs) : new Map();
    this.env = from ? new Map(from.env) : new Map();
    this.facts = from ? new Map(from.facts) : new Map();
    this.nulls = from ? new Set(from.nulls) : new Set();
    this.atomic = from ? [...from.atomic] : [];
    this.gap = from?.gap ?? false;
    this.jump = from?.jump;
    this.leftEarly = from?.leftEarly;
  }

  clone(): PathState {
    return new PathState(this);
  }

  obj(id: number): Obj | undefined {
    return this.objs.get(id);
  }

  setObj(id: number, change: Partial<Obj>): void {
    const o = this.objs.get(id);
    if (o) this.objs.set(id, { ...o, ...change });
  }

  /** Stores `v` under `key` (or forgets it), forgetting what was reached through the old value. */
  set(key: string, v: Val | undefined): void {
    for (const k of [...this.env.keys()]) if (k !== key && dependsOn(k, key)) this.env.delete(k);
    for (const k of [...this.nulls]) if (dependsOn(k, key)) this.nulls.delete(k);
    if (v) this.env.set(key, v);
    else this.env.delete(key);
    if (v?.t === "null") this.nulls.add(key);
    this.forgetFacts(key);
  }

  /** Conditions that mention `key`'s variable no longer hold once it changes. */
  forgetFacts(key: string): void {
    const root = /^[*&]*([A-Za-z_]\w*)/.exec(key)?.[1];
    if (!root || this.facts.size === 0) return;
    const word = new RegExp(`(?<![A-Za-z0-9_])${root}(?![A-Za-z0-9_])`);
    for (const f of [...this.facts.keys()]) if (word.test(f)) this.facts.delete(f);
  }

  /** A gap: anything may have happened to what the path knew. */
  crossGap(): void {
    for (const [id, o] of this.objs) if (o.status === "held" || o.each) this.objs.set(id, { ...o, status: "unknown", each: undefined });
    this.env.clear();
    this.facts.clear();
    this.nulls.clear();
    this.atomic = [];
    this.gap = true;
  }

  /** The text of what the acquisitions are in (and the atomic depth): states equal here merge first. */
  propertySignature(): string {
    const parts: string[] = [];
    for (const [id, o] of [...this.objs].sort((a, b) => a[0] - b[0])) {
      parts.push(`${id}:${o.status}:${o.outcome}:${o.each ? `${o.each.op}${o.each.loop}` : ""}:${o.extraRef ? 1 : 0}${o.willPin === undefined ? "u" : o.willPin ? 1 : 0}${o.freed ? 1 : 0}${o.partly ? 1 : 0}${o.remainder ? 1 : 0}`);
    }
    parts.push(`a${this.atomic.length}`, `g${this.gap ? 1 : 0}`);
    return parts.join("|");
  }

  /** A canonical text of everything the rules look at, for merging equal states. */
  signature(): string {
    const parts: string[] = [];
    for (const [id, o] of [...this.objs].sort((a, b) => a[0] - b[0])) {
      parts.push(`${id}:${o.status}:${o.outcome}:${o.each ? `${o.each.op}${o.each.loop}` : ""}:${o.releasedCount ?? ""}:${o.extraRef ? 1 : 0}${o.dirtied ? 1 : 0}${o.willPin === undefined ? "u" : o.willPin ? 1 : 0}${o.highmemTested ? 1 : 0}${o.freed ? 1 : 0}${o.partly ? 1 : 0}${o.remainder ? 1 : 0}`);
    }
    for (const [k, v] of [...this.env].sort((a, b) => (a[0] < b[0] ? -1 : 1))) parts.push(`${k}=${JSON.stringify(v)}`);
    for (const [k, v] of [...this.facts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) parts.push(`?${k}=${v ? 1 : 0}`);
    for (const k of [...this.nulls].sort()) parts.push(`!${k}`);
    parts.push(`a${this.atomic.map((a) => a.node).join(",")}`, `g${this.gap ? 1 : 0}`, `j${this.jump ?? ""}`, `l${this.leftEarly ?? ""}`);
    return parts.join("|");
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
        out.objs.set(id, { ...o, status: "unknown", each: undefined });
        continue;
      }
      if (other.status !== o.status || other.each?.op !== o.each?.op) out.objs.set(id, { ...o, status: "unknown", each: undefined, outcome: o.outcome | other.outcome });
      else if (other.outcome !== o.outcome || other.willPin !== o.willPin) out.objs.set(id, { ...o, outcome: o.outcome | other.outcome, willPin: other.willPin === o.willPin ? o.willPin : undefined });
    }
    for (const [id, o] of s.objs) if (!out.objs.has(id)) out.objs.set(id, { ...o, status: "unknown", each: undefined });
    for (const [k, v] of [...out.env]) if (!sameVal(v, s.env.get(k))) out.env.delete(k);
    for (const [k, v] of [...out.facts]) if (s.facts.get(k) !== v) out.facts.delete(k);
    for (const k of [...out.nulls]) if (!s.nulls.has(k)) out.nulls.delete(k);
    if (s.atomic.length < out.atomic.length) out.atomic = [...s.atomic];
    out.gap ||= s.gap;
    if (out.jump !== s.jump) out.jump = undefined;
    if (out.leftEarly !== s.leftEarly) out.leftEarly = undefined;
  }
  return out;
}
