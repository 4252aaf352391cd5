// User pages can be highmem on 32-bit kernels, where the direct map does not
// cover them: a direct-map address (page_address(), page_to_virt(), __va())
// of pages that came from user space is NULL or wrong there. Reported where,
// on every path, the mapped page comes from an acquisition and no highmem test
// or configuration guards it; on code only built for 64-bit kernels (by path
// or by the series' Kconfig) it is information only.
import { allRows } from "../api/catalog.js";
import { treeHas } from "../api/era.js";
import { excludesHighmem, sixtyFourBitOnly } from "../api/platforms.js";
import type { FunctionAnalysis } from "../analysis/engine.js";
import type { Candidate, Rule, RuleContext } from "./types.js";
import { byNode, callName, everyPath, groupBy } from "./utils/observations.js";

/** The mapper to advise: the first highmem-safe one the tree has (for a page, or for an array). */
function mapAdvice(context: RuleContext, array: boolean): string {
  const used = context.analysis.usedNames;
  const row = allRows().find((r) => r.map?.highmemSafe && !!r.map.array === array && !r.lock && treeHas(context.era, r.name, used));
  return row ? `${row.name}()` : "a highmem-safe mapping";
}

/** An #if around the node that rules highmem out. */
function noHighmemConfig(fn: FunctionAnalysis, node: number): boolean {
  return (fn.cfg.nodes[node]?.configs ?? []).some(excludesHighmem);
}

export const highmemAccess: Rule = {
  meta: {
    id: "highmem-access",
    category: "highmem-access",
    severity: "warning",
    cases: [],
    description: "A direct-map address (page_address(), page_to_virt()...) of pages that came from user space, which may be highmem.",
    citation: { title: "Documentation/mm/highmem.rst: High Memory Handling", url: "https://docs.kernel.org/mm/highmem.html" },
    messages: {
      directMap:
        "{{map}}() is used on a page that came from {{acquire}}. User pages can live in highmem on 32-bit kernels, " +
        "where the direct map does not cover them and {{map}}() does not give a usable address. Please map them " +
        "with {{kmap}} around the access, or {{vmap}} if a long-lived mapping of several pages is needed, or refuse " +
        "highmem pages (PageHighMem()) if the code cannot work with them.",
    },
  },
  check(fn: FunctionAnalysis, context: RuleContext): Candidate[] {
    const out: Candidate[] = [];
    const sixtyFour = sixtyFourBitOnly(context.file.path, context.analysis.kconfig);
    for (const [node, list] of byNode(fn, "map")) {
      for (const group of groupBy(list.filter((o) => !o.safe), (o) => o.obj).values()) {
        const first = group[0]!;
        const obj = first.st.obj(first.obj);
        if (!obj || obj.site.inferred || !everyPath(fn, node, group) || noHighmemConfig(fn, node)) continue;
        if (group.some((o) => o.st.obj(o.obj)?.highmemTested || [...o.st.facts.keys()].some((f) => f.startsWith("@highmem:")))) continue;
        out.push({
          messageId: "directMap",
          data: { map: first.call, acquire: callName(obj.site), kmap: mapAdvice(context, false), vmap: mapAdvice(context, true) },
          anchors: [node], related: [obj.site.node], severity: sixtyFour ? "info" : undefined,
          key: `map|${first.call}|${obj.site.call}|${obj.site.key ?? ""}`,
        });
      }
    }
    return out;
  },
};
