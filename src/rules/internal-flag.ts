// Flags the GUP wrappers set themselves must not be passed by callers:
// FOLL_PIN was internal from its start (5.6), FOLL_TOUCH, FOLL_REMOTE and the
// others moved to mm/internal.h in 6.3, and FOLL_GET conflicts with a pin.
// Reported where such a flag is in the flags on some path to the call, judged
// against the tree the patch targets.
import { apiRow } from "../api/catalog.js";
import { reached } from "../api/era.js";
import type { FunctionAnalysis } from "../analysis/engine.js";
import type { Candidate, Rule, RuleContext } from "./types.js";
import { CASE_URL } from "./types.js";
import { byNode } from "./utils/observations.js";

export const internalFlag: Rule = {
  meta: {
    id: "internal-flag",
    category: "internal-flag",
    severity: "error",
    cases: ["basics"],
    description: "An internal FOLL_ flag (FOLL_PIN, FOLL_TOUCH...) passed at a call site, or FOLL_GET passed to a pin call.",
    citation: { title: "pin_user_pages.rst: Basic description of FOLL_PIN", url: CASE_URL.basics },
    messages: {
      internalFlag:
        "{{flag}} ({{about}}) is internal to GUP and must not be passed by callers: the wrappers set it themselves, " +
        "and GUP refuses calls that pass it. Please pass only public flags such as FOLL_WRITE or FOLL_LONGTERM.",
      getToPin:
        "FOLL_GET is passed to {{call}}(). FOLL_PIN and FOLL_GET are mutually exclusive for a call " +
        "(pin_user_pages.rst), so GUP rejects it; drop FOLL_GET.",
    },
  },
  check(fn: FunctionAnalysis, context: RuleContext): Candidate[] {
    const out: Candidate[] = [];
    for (const [node, list] of byNode(fn, "acquire")) {
      const site = list[0]!.site;
      const may = new Set(list.flatMap((o) => o.site.flags?.may ?? []));
      const implied = new Set(site.row.acquire?.implies ?? []);
      for (const flag of may) {
        if (implied.has(flag)) continue;
        const row = apiRow(flag)?.flag;
        if (row?.internalSince && reached(context.era, row.internalSince)) {
          out.push({ messageId: "internalFlag", data: { flag, about: apiRow(flag)!.about }, anchors: [node], key: `internal|${flag}|${site.call}` });
        } else if (row?.getOnly && site.mode !== "get") {
          out.push({ messageId: "getToPin", data: { call: site.call }, anchors: [node], key: `get-to-pin|${site.call}` });
        }
      }
    }
    return out;
  },
};
