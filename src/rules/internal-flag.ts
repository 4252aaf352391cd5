// Flags the GUP wrappers set themselves must not be passed by callers:
// FOLL_PIN was internal from its start (5.6), FOLL_TOUCH, FOLL_REMOTE and the
// others moved to mm/internal.h in 6.3, and FOLL_GET conflicts with a pin.
// Since 6.3 GUP refuses such a call; before, a pin wrapper that sets FOLL_PIN
// itself ignored a caller's FOLL_PIN, so the message says which of the two
// the target tree does. Reported where such a flag is in the flags on some
// path to the call.
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
        "{{flag}} is internal to GUP and must not be passed by callers: GUP sets it itself where it is needed. " +
        "In this tree it is private to mm/ (mm/internal.h), so code outside mm/ does not build with it, and GUP " +
        "refuses a call that passes it (a WARN, then an error). Please pass only public flags such as FOLL_WRITE or " +
        "FOLL_LONGTERM.",
      internalFlagRedundant:
        "{{flag}} is internal to GUP: pin_user_pages.rst says it should not appear at call sites, and {{call}}() " +
        "sets it itself. In this tree the call ignores it; from {{rejectedSince}} on it is private to mm/ " +
        "(mm/internal.h) and GUP refuses a call that passes it. " +
        "Please drop it.",
      getToPin:
        "FOLL_GET is passed to {{call}}(). FOLL_PIN and FOLL_GET are mutually exclusive for a call " +
        "(pin_user_pages.rst), so GUP rejects it; drop FOLL_GET.",
    },
  },
  check(fn: FunctionAnalysis, context: RuleContext): Candidate[] {
    const out: Candidate[] = [];
    for (const [node, list] of byNode(fn, "acquire")) {
      const site = list[0]!.site;
      const may = new Set(list.flatMap((o) => o.site.callerFlags?.may ?? []));
      const implied = new Set(site.row.acquire?.implies ?? []);
      for (const flag of may) {
        const row = apiRow(flag)?.flag;
        const rejectedSince = row?.rejectedSince ?? row?.internalSince;
        // The wrapper sets this flag itself: passing it is harmless until GUP starts refusing it.
        const setByWrapper = implied.has(flag) || !!row?.setBy?.includes(site.mode);
        const key = `internal|${flag}|${site.call}`;
        if (rejectedSince && reached(context.era, rejectedSince)) {
          out.push({ messageId: "internalFlag", data: { flag, call: site.call }, anchors: [node], key });
        } else if (row?.internalSince && reached(context.era, row.internalSince)) {
          if (setByWrapper) {
            // Harmless in this tree, a build break outside mm/ and a refused call from rejectedSince: a warning.
            out.push({ messageId: "internalFlagRedundant", data: { flag, call: site.call, rejectedSince: rejectedSince! }, anchors: [node], key, severity: "warning" });
          } else {
            out.push({ messageId: "internalFlag", data: { flag, call: site.call }, anchors: [node], key });
          }
        } else if (row?.getOnly && site.mode !== "get") {
          out.push({ messageId: "getToPin", data: { call: site.call }, anchors: [node], key: `get-to-pin|${site.call}` });
        }
      }
    }
    return out;
  },
};
