// Pages kept in a struct member are usually taken in one function and given
// back in another (a driver's pin helper fills mr->pages, its unpin helper
// walks them). Neither function calls the other, so no summary links them;
// the member's struct type does. A "slot" is `struct type . member`; this
// collects, for each slot, how the patch's functions fill it and how they
// release what is in it, so a rule can compare the two across functions.
import type { AcquireMode, ReleaseKind } from "../api/effect-types.js";
import type { TypeInfo } from "./c-ast.js";
import type { FunctionAnalysis } from "./engine.js";
import { objOf, type Site } from "./values.js";

export interface SlotFill {
  mode: AcquireMode;
  site: Site;
  /** The function that fills the slot. */
  fn: string;
}

export interface SlotFacts {
  fills: SlotFill[];
  /** Release kinds applied to the slot's pages in functions where their origin is not visible. */
  releases: Set<ReleaseKind>;
}

/**
 * The slot a key names: `mr->pages` or `mr->pages[*]` with `mr` declared as
 * `struct foo_mr *` gives "foo_mr.pages". Only a member directly of a declared
 * struct variable counts; anything deeper or untyped gives undefined.
 */
export function slotOf(key: string | undefined, types: ReadonlyMap<string, TypeInfo>): string | undefined {
  if (!key) return undefined;
  const m = /^([A-Za-z_]\w*)(->|\.)([A-Za-z_]\w*)(\[[^\]]*\])?$/.exec(key);
  if (!m) return undefined;
  const type = types.get(m[1]!);
  if (!type?.struct || type.array) return undefined;
  if (type.pointers !== (m[2] === "->" ? 1 : 0)) return undefined;
  return `${type.struct}.${m[3]}`;
}

/** Slot facts over the functions of one side of a patch. */
export function collectSlots(functions: readonly FunctionAnalysis[]): Map<string, SlotFacts> {
  const slots = new Map<string, SlotFacts>();
  const facts = (slot: string): SlotFacts => {
    let f = slots.get(slot);
    if (!f) slots.set(slot, (f = { fills: [], releases: new Set() }));
    return f;
  };
  for (const fn of functions) {
    if (fn.capped) continue;
    const name = fn.view.name ?? "?";
    for (const o of fn.observations) {
      if (o.k === "acquire") {
        const slot = slotOf(o.site.key, fn.types);
        if (slot && !o.site.inferred) addFill(facts(slot), { mode: o.site.mode, site: o.site, fn: name });
      } else if (o.k === "store") {
        const slot = slotOf(o.key, fn.types);
        const id = objOf(o.val);
        const site = id === undefined ? undefined : o.st.obj(id)?.site;
        if (slot && site && !site.inferred) addFill(facts(slot), { mode: site.mode, site, fn: name });
      } else if (o.k === "release" && o.obj === undefined) {
        const slot = slotOf(o.targetKey, fn.types);
        if (slot) facts(slot).releases.add(o.release.kind);
      }
    }
  }
  return slots;
}

function addFill(facts: SlotFacts, fill: SlotFill): void {
  if (!facts.fills.some((f) => f.site.id === fill.site.id)) facts.fills.push(fill);
}
