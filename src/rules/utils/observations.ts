// What rules ask of the engine's observations: those of one kind grouped by
// node, whether a group covers every path that reaches its node, and the
// names and advice the effects table gives for a finding's wording.
import { apiRow, releasersOf } from "../../api/catalog.js";
import type { AcquireMode, ReleaseKind } from "../../api/effect-types.js";
import { treeHas, type TreeEra } from "../../api/era.js";
import type { FunctionAnalysis, Observation } from "../../analysis/engine.js";
import type { FileAnalysis, PatchAnalysis } from "../../analysis/analyse-patch.js";
import { callsIn } from "../../analysis/engine.js";
import type { Side } from "../../analysis/source-view.js";
import { exprText } from "../../analysis/values.js";
import type { Obj, Site } from "../../analysis/values.js";

export type Obs<K extends Observation["k"]> = Extract<Observation, { k: K }>;

/** Observations of one kind, by node. */
export function byNode<K extends Observation["k"]>(fn: FunctionAnalysis, kind: K): Map<number, Obs<K>[]> {
  const out = new Map<number, Obs<K>[]>();
  for (const o of fn.observations) {
    if (o.k !== kind) continue;
    const list = out.get(o.node) ?? [];
    list.push(o as Obs<K>);
    out.set(o.node, list);
  }
  return out;
}

/** The observations cover every path that reaches their node. */
export function everyPath(fn: FunctionAnalysis, node: number, list: readonly Observation[]): boolean {
  if (list.length === 0) return false;
  const paths = new Set(list.map((o) => o.path));
  return paths.size >= (fn.statesAt.get(node) ?? Number.POSITIVE_INFINITY);
}

/** Groups items by a key. */
export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    out.set(k, [...(out.get(k) ?? []), item]);
  }
  return out;
}

/** The pages are held on this path: acquired, not released, handed on or lost track of, and the outcome holds some. */
export function holds(o: Obj | undefined): boolean {
  if (!o || o.status !== "held" || o.each || o.partly || (o.outcome & o.site.holds) === 0) return false;
  // iov_iter_extract_pages() takes nothing on the pages of a kernel-backed iterator.
  return !(o.site.mode === "extract" && o.willPin === false);
}

/** A call's name for prose: `pin_user_pages_fast()`, or the helper it went through. */
export function callName(site: Site): string {
  if (site.via) return `${site.via}()`;
  // A helper's parameter stands in for pages its callers acquired (summaries.ts names it "helper:param"): name the callers.
  if (site.inferred && site.row.acquire === undefined) return `the caller of ${site.call.split(":")[0]}()`;
  return `${site.call}()`;
}

/** The text of a node's statement, for keys: spacing and casts dropped. */
export function nodeText(fn: FunctionAnalysis, node: number): string {
  const n = fn.cfg.nodes[node];
  if (!n) return "";
  if (n.kind === "goto") return `goto ${n.label}`;
  if (n.kind === "return") return `return ${exprText(n.expr)}`;
  if (n.decl) return `${n.decl.name}=${exprText(n.decl.init)}`;
  return exprText(n.expr);
}

/** Names the patch uses: advice may name them whatever the tree's age. */
export function usedNames(analysis: PatchAnalysis): ReadonlySet<string> {
  return analysis.usedNames;
}

/** The release to advise for pages taken in `mode` (an array or one page), from what the patch's tree has. */
export function releaseAdvice(mode: AcquireMode, shape: "array" | "page", era: TreeEra, used: ReadonlySet<string>): string | undefined {
  if (mode === "extract") {
    // iov_iter_extract_pages() pins only for user-backed iterators: the release follows what the iterator says.
    const unpin = releaseAdvice("pin", shape, era, used);
    const willPin = firstAvailable(["iov_iter_extract_will_pin"], era, used);
    if (!unpin) return undefined;
    return willPin ? `${unpin} when ${willPin} says they were pinned` : `${unpin} for pinned pages, as the iterator's extraction mode says`;
  }
  const kinds: ReleaseKind[] = mode === "get" ? ["put"] : mode === "pin-folio" ? ["unpin-folio"] : mode === "frame-vector" ? ["frame-vector"] : ["unpin", "put-user-page"];
  for (const kind of kinds) {
    const shapes = mode === "pin-folio" ? (shape === "page" ? ["folio", "folio-array"] : ["folio-array", "folio"]) : mode === "frame-vector" ? ["container"] : shape === "array" ? ["array", "page"] : ["page"];
    for (const sh of shapes) {
      const candidates = releasersOf(kind, sh, undefined).filter((r) => treeHas(era, r.name, used) && !r.release?.dirty);
      if (candidates[0]) return `${candidates[0].name}()`;
    }
  }
  return undefined;
}

/** The first of `names` the patch's tree has, as `name()`. */
export function firstAvailable(names: readonly string[], era: TreeEra, used: ReadonlySet<string>): string | undefined {
  const name = names.find((n) => treeHas(era, n, used));
  return name ? `${name}()` : undefined;
}

/** What taking pages in `mode` is called in prose. */
export function modeWord(mode: AcquireMode): string {
  switch (mode) {
    case "get": return "takes page references (FOLL_GET)";
    case "pin": return "pins (FOLL_PIN)";
    case "extract": return "pins (for a user-backed iterator)";
    case "pin-folio": return "pins folios";
    case "frame-vector": return "pins into a frame vector";
  }
}

export { apiRow };

const notifierSeen = new WeakMap<FileAnalysis, Partial<Record<Side, boolean>>>();

/** One side of the file tracks user memory with an mmu notifier (CASE 3). Computed once per file and side. */
export function tracksWithNotifier(file: FileAnalysis, side: Side): boolean {
  let bySide = notifierSeen.get(file);
  if (!bySide) notifierSeen.set(file, (bySide = {}));
  bySide[side] ??= file.functions[side].some((f) => f.cfg.nodes.some((n) => callsIn(n.expr).some((c) => !!c.fn && !!apiRow(c.fn)?.mmuNotifier)));
  return bySide[side];
}
