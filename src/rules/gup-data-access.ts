// pin_user_pages.rst: pages whose data a device accesses (CASE 1 DIO, CASE 2
// RDMA) or the CPU writes (CASE 5) must be pinned, not taken with FOLL_GET.
// Reported where, on every path, pages from a FOLL_GET acquisition reach a
// device sink or a CPU write, in a tree that has the pin API, outside the
// callers that use references by design, with no page lock held across a CPU
// write (the lock_page() alternative) and no mmu notifier in the file (CASE 3).
import { treeHas } from "../api/era.js";
import { getReferencesByDesign } from "../api/platforms.js";
import type { FunctionAnalysis } from "../analysis/engine.js";
import type { Candidate, Rule, RuleContext } from "./types.js";
import { CASE_URL } from "./types.js";
import { byNode, callName, everyPath, groupBy, tracksWithNotifier } from "./utils/observations.js";

export const gupDataAccess: Rule = {
  meta: {
    id: "gup-data-access",
    category: "gup-data-access",
    severity: "error",
    cases: ["case1", "case2", "case5"],
    description: "Pages taken with FOLL_GET (get_user_pages*()) whose data a device accesses or the CPU writes: they must be pinned.",
    citation: { title: "pin_user_pages.rst: CASE 5: Pinning in order to write to the data within the page", url: CASE_URL.case5 },
    messages: {
      cpuWrite:
        "{{fn}}() writes into the data of a page it got from {{acquire}}, which only takes a FOLL_GET reference. " +
        "pin_user_pages.rst CASE 5 asks for a pin here: {{pin}} instead, and an unpin (dirtying) instead of the " +
        "put. The other way is to hold the page lock (lock_page()) across the mapping, the write and the " +
        "dirtying; either way, the write must not go through a bare FOLL_GET reference.",
      device:
        "{{fn}}() hands pages from {{acquire}} to {{sink}}(), so a device (or the block layer) will access their " +
        "data. pin_user_pages.rst CASE 1 (DIO) and CASE 2 (RDMA) ask for FOLL_PIN here: use {{pin}} (with " +
        "FOLL_LONGTERM if the buffer stays registered after the syscall returns) and unpin instead of put.",
      cpuRead:
        "{{fn}}() reads page data through a FOLL_GET reference from {{acquire}}. Short reads are tolerated, but a " +
        "pin is the documented choice whenever the data matters (CASE 5).",
    },
  },
  check(fn: FunctionAnalysis, context: RuleContext): Candidate[] {
    const out: Candidate[] = [];
    if (getReferencesByDesign(context.file.path) || tracksWithNotifier(context.file, "new")) return out;
    const used = context.analysis.usedNames;
    for (const [node, list] of byNode(fn, "sink")) {
      for (const group of groupBy(list, (o) => `${o.obj}:${o.sink.access}`).values()) {
        const first = group[0]!;
        const obj = first.st.obj(first.obj);
        if (!obj || obj.site.mode !== "get" || obj.site.inferred || !everyPath(fn, node, group)) continue;
        const pin = obj.site.row.counterpart;
        if (!pin || !treeHas(context.era, pin, used)) continue;
        const access = first.sink.access;
        if (access === "cpu-write" && group.some((o) => o.st.facts.get(`@locked:${o.obj}`))) continue;
        // Direct I/O through an iterator: the extract API is the documented way, but references were the norm.
        const iterBased = obj.site.row.acquire?.iter !== undefined;
        // The put that should become an unpin is part of the comment.
        const messageId = access === "cpu-write" ? "cpuWrite" : access === "cpu-read" ? "cpuRead" : "device";
        const severity = access === "cpu-read" || iterBased ? "info" : access === "cpu-write" ? "warning" : undefined;
        out.push({
          messageId,
          data: { fn: fn.view.name ?? "this function", acquire: callName(obj.site), pin: `${pin}()`, sink: first.call },
          anchors: [node, obj.site.node], related: [obj.site.node, ...releasesOf(fn, first.obj)], severity,
          cases: access === "cpu-write" ? ["case5"] : ["case1", "case2"],
          citation: access === "cpu-write" ? undefined : { title: "pin_user_pages.rst: CASE 1: Direct IO (DIO)", url: CASE_URL.case1 },
          key: `${messageId}|${obj.site.call}|${first.call}`,
        });
      }
    }
    return out;
  },
};

/** The nodes where the function releases the pages of `obj`. */
function releasesOf(fn: FunctionAnalysis, obj: number): number[] {
  return [...new Set(fn.observations.filter((o) => o.k === "release" && o.obj === obj).map((o) => o.node))];
}
