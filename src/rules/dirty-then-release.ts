// Dirtying user pages: set_page_dirty() needs the page lock, which GUP
// callers do not hold, so pinned pages are dirtied with the locking variant or
// by the dirtying unpin; and an open-coded dirty-then-unpin loop is what the
// batched dirtying unpin exists for (information only).
import type { FunctionAnalysis } from "../analysis/engine.js";
import type { Candidate, Rule, RuleContext } from "./types.js";
import { CASE_URL } from "./types.js";
import { byNode, everyPath, firstAvailable } from "./utils/observations.js";
import { allRows } from "../api/catalog.js";

/** The table's dirtying release for an array, and its locking dirtier, that the tree has. */
function advice(context: RuleContext): { unpinDirty?: string; lockedDirty?: string } {
  const used = context.analysis.usedNames;
  const unpinDirty = firstAvailable(allRows().filter((r) => r.release?.kind === "unpin" && r.release.shape === "array" && typeof r.release.dirty === "number").map((r) => r.name), context.era, used);
  const lockedDirty = firstAvailable(allRows().filter((r) => r.dirty?.locked && !r.dirty.folio).map((r) => r.name), context.era, used);
  return { unpinDirty, lockedDirty };
}

export const dirtyThenRelease: Rule = {
  meta: {
    id: "dirty-then-release",
    category: "dirty-then-release",
    severity: "warning",
    cases: ["case1"],
    description: "Pinned user pages dirtied without the page lock, or dirtied and unpinned one by one instead of with the batched dirtying unpin.",
    citation: { title: "pin_user_pages.rst: CASE 1: Direct IO (DIO)", url: CASE_URL.case1 },
    messages: {
      unlockedDirty:
        "{{dirty}}() needs the page lock, and a GUP caller holds neither it nor a reference on the file's inode. " +
        "Please dirty these pinned pages with {{lockedDirty}}, or release them with {{unpinDirty}}.",
      openCodedLoop:
        "This dirties and unpins the pages one by one; {{unpinDirty}} does both, dirtying each folio under its lock " +
        "and unpinning a folio at a time.",
    },
  },
  check(fn: FunctionAnalysis, context: RuleContext): Candidate[] {
    const out: Candidate[] = [];
    const names = advice(context);
    for (const [node, list] of byNode(fn, "dirty")) {
      const first = list[0]!;
      const obj = first.st.obj(first.obj);
      if (!obj || obj.site.inferred || obj.site.mode === "get" || !everyPath(fn, node, list)) continue;
      if (!first.locked && !list.some((o) => o.st.facts.get(`@locked:${o.obj}`)) && names.lockedDirty) {
        out.push({ messageId: "unlockedDirty", data: { dirty: first.call, lockedDirty: names.lockedDirty, unpinDirty: names.unpinDirty ?? names.lockedDirty }, anchors: [node], key: `unlocked|${first.call}|${obj.site.call}` });
      } else if (first.locked && names.unpinDirty && (fn.cfg.nodes[node]?.loops.length ?? 0) > 0) {
        const unpinnedInLoop = fn.observations.some((o) => o.k === "release" && o.obj === first.obj && o.elementwise && o.release.kind === "unpin");
        if (unpinnedInLoop) out.push({ messageId: "openCodedLoop", data: { unpinDirty: names.unpinDirty }, anchors: [node], severity: "info", key: `loop|${obj.site.call}` });
      }
    }
    return out;
  },
};
