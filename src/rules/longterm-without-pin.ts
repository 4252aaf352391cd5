// FOLL_LONGTERM is only for pins: pin_user_pages.rst says FOLL_PIN is a
// prerequisite, and from 6.3 GUP rejects it on the get_* calls. Reported for a
// FOLL_GET acquisition whose flags include FOLL_LONGTERM on every path, in a
// tree that has the pin counterpart.
import { apiRow } from "../api/catalog.js";
import { treeHas } from "../api/era.js";
import type { FunctionAnalysis } from "../analysis/engine.js";
import type { Candidate, Rule, RuleContext } from "./types.js";
import { CASE_URL } from "./types.js";
import { byNode, everyPath } from "./utils/observations.js";

export const longtermWithoutPin: Rule = {
  meta: {
    id: "longterm-without-pin",
    category: "longterm-without-pin",
    severity: "error",
    cases: ["case2"],
    description: "FOLL_LONGTERM passed to a FOLL_GET call: long-term access needs a pin.",
    citation: { title: "pin_user_pages.rst: CASE 2: RDMA", url: CASE_URL.case2 },
    messages: {
      longtermGet:
        "{{call}}() is called with FOLL_LONGTERM, but it only takes FOLL_GET references. FOLL_PIN is a prerequisite " +
        "for FOLL_LONGTERM (pin_user_pages.rst, CASE 2), and newer kernels reject the combination. Please use " +
        "{{pin}}() and release the pages with an unpin.",
    },
  },
  check(fn: FunctionAnalysis, context: RuleContext): Candidate[] {
    const out: Candidate[] = [];
    for (const [node, list] of byNode(fn, "acquire")) {
      const site = list[0]!.site;
      const pin = site.row.counterpart;
      if (site.mode !== "get" || !pin || !treeHas(context.era, pin, context.analysis.usedNames) || !everyPath(fn, node, list)) continue;
      if (!list.every((o) => o.site.flags?.must.some((f) => apiRow(f)?.flag?.longterm))) continue;
      out.push({ messageId: "longtermGet", data: { call: site.call, pin }, anchors: [node], key: `longterm|${site.call}` });
    }
    return out;
  },
};
