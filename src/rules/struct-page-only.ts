// Information only (CASE 4): pages pinned but only inspected as struct pages
// (never mapped, written, read or handed to a device) need only FOLL_GET.
import { apiRow } from "../api/catalog.js";
import { callsIn, type FunctionAnalysis } from "../analysis/engine.js";
import { keyOf } from "../analysis/values.js";
import type { Candidate, Rule, RuleContext } from "./types.js";
import { CASE_URL } from "./types.js";
import { byNode, callName } from "./utils/observations.js";

export const structPageOnly: Rule = {
  meta: {
    id: "struct-page-only",
    category: "struct-page-only",
    severity: "info",
    cases: ["case4"],
    description: "A pin on pages whose data is never accessed; CASE 4 says FOLL_GET is enough for struct page manipulation.",
    citation: { title: "pin_user_pages.rst: CASE 4: Pinning for struct page manipulation only", url: CASE_URL.case4 },
    messages: {
      metadataOnly:
        "The pages from {{acquire}} are only inspected as struct pages here ({{uses}}), never read or written. " +
        "pin_user_pages.rst CASE 4 says a FOLL_GET reference is enough for that.",
    },
  },
  check(fn: FunctionAnalysis, _context: RuleContext): Candidate[] {
    const out: Candidate[] = [];
    for (const [node, list] of byNode(fn, "acquire")) {
      const site = list[0]!.site;
      if (site.mode !== "pin" || !site.key) continue;
      const used = fn.observations.some((o) => (o.k === "sink" || o.k === "map" || o.k === "dirty" || o.k === "store") && "obj" in o && o.obj === site.id);
      const escaped = fn.exitStates.some((s) => s.obj(site.id)?.status === "escaped" || s.obj(site.id)?.status === "unknown");
      if (used || escaped) continue;
      const queries = fn.cfg.nodes.flatMap((n) => callsIn(n.expr).filter((c) => c.fn && apiRow(c.fn)?.structPageQuery && c.args.some((a) => keyOf(a)?.startsWith(site.key!))).map((c) => c.fn!));
      if (queries.length === 0) continue;
      out.push({ messageId: "metadataOnly", data: { acquire: callName(site), uses: [...new Set(queries)].map((q) => `${q}()`).join(", ") }, anchors: [node], key: `metadata|${site.call}` });
    }
    return out;
  },
};
