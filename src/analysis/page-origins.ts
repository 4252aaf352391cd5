// Data flow for page arrays: where did the pages behind a variable come
// from? Follows acquisitions (get/pin/extract/memfd), kernel allocations,
// and simple aliases (page = pages[i], head = compound_head(page),
// addr = kmap(page)) through one side of one file's hunks. Local names are
// scoped to their function; struct fields (umem->pages) to the file.
import { ACQUIRE, KERNEL_PAGE_SOURCES, MAP_CALLS, type AcquireMode } from "../diff/gup-symbols.js";
import type { CallFact, FileFacts, Side } from "./facts.js";

export interface Origin {
  mode: AcquireMode | "kernel";
  /** The acquiring call (or the kernel allocation). */
  call: CallFact;
  /** The variable holds a kernel mapping (kmap/page_address) of such pages. */
  mapped?: { via: string; highmemSafe: boolean };
  /** Passed through a helper that may change which page it is (compound_head...). */
  via?: string;
}

/** Helpers whose result is still "the same pages" for release purposes. */
const PASS_THROUGH = new Set(["page_folio", "compound_head", "folio_page", "nth_page", "pfn_to_page", "virt_to_page"]);

function key(path: string, fn: string | undefined): string {
  return path.includes("->") || path.includes(".") ? `::${path}` : `${fn ?? ""}::${path}`;
}

/** Chooses the argument position for this arity, or a best guess. */
export function pagesArgument(call: CallFact): number | undefined {
  const spec = ACQUIRE[call.name];
  if (!spec) return undefined;
  const exact = spec.pagesArg[call.args.length];
  if (exact !== undefined) return exact;
  // Unknown arity (an old signature): the first argument that looks like a page array.
  const guess = call.args.findIndex((a, i) => i > 0 && /page|frame|folio/i.test(a));
  return guess >= 0 ? guess : undefined;
}

export class PageOrigins {
  private readonly map = new Map<string, Origin[]>();

  /**
   * @param siblings facts of the same file in the other patches of the series:
   * their acquisitions (new side) count as origins too.
   */
  constructor(readonly facts: FileFacts, readonly side: Side, siblings: readonly FileFacts[] = []) {
    const calls = facts.calls.filter((c) => c.side === side);
    const assigns = facts.assigns.filter((a) => a.side === side);
    const seriesCalls = side === "new" ? siblings.flatMap((f) => f.calls.filter((c) => c.side === "new")) : [];
    for (const call of [...calls, ...seriesCalls]) {
      const spec = ACQUIRE[call.name];
      if (spec) {
        if (spec.returnsPage && call.assignedTo) this.add(call.assignedTo, call.fn, { mode: spec.mode, call });
        const pos = pagesArgument(call);
        const root = pos === undefined ? null : call.argRoots[pos];
        if (root && !/^(NULL|nullptr)$/.test(root)) this.add(root, call.fn, { mode: spec.mode, call });
      } else if (KERNEL_PAGE_SOURCES.has(call.name) && call.assignedTo) {
        this.add(call.assignedTo, call.fn, { mode: "kernel", call });
      }
    }
    // Aliases, twice so that an alias of an alias is followed.
    for (let pass = 0; pass < 2; pass++) {
      for (const a of assigns) {
        if (a.operator !== "=") continue;
        if (a.rhsCall) {
          const mapping = MAP_CALLS[a.rhsCall.name];
          const argRoot = a.rhsCall.argRoots[0];
          if (!argRoot) continue;
          const from = this.originsOf(argRoot, a.fn).filter((o) => o.mode !== "kernel");
          if (mapping) for (const o of from) this.add(a.lhs, a.fn, { ...o, mapped: { via: a.rhsCall.name, highmemSafe: mapping.highmemSafe } });
          else if (PASS_THROUGH.has(a.rhsCall.name)) for (const o of from) this.add(a.lhs, a.fn, { ...o, via: a.rhsCall.name });
          continue;
        }
        // A plain alias: "page = pages[i]", "p = *pages", "pages = umem->pages".
        if (a.rhsRoots.length !== 1 || /[-+*/%]\s*\w+\s*\(|\?/.test(a.rhsText)) continue;
        for (const o of this.originsOf(a.rhsRoots[0]!, a.fn)) this.add(a.lhs, a.fn, o);
      }
    }
  }

  private add(path: string, fn: string | undefined, origin: Origin): void {
    const k = key(path, fn);
    const list = this.map.get(k) ?? [];
    if (!list.some((o) => o.call === origin.call && o.mode === origin.mode && !!o.mapped === !!origin.mapped && o.via === origin.via)) {
      list.push(origin);
    }
    this.map.set(k, list);
  }

  /** Every known origin of the pages behind `path` as seen from function `fn`. */
  originsOf(path: string | null | undefined, fn: string | undefined): Origin[] {
    if (!path) return [];
    return this.map.get(key(path, fn)) ?? [];
  }
}
