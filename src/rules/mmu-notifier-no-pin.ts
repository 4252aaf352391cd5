// Information only (CASE 3): code that tracks a range with an mmu notifier
// and drops its references on invalidation needs neither FOLL_PIN nor
// FOLL_LONGTERM; a new pin there deserves a question.
import type { FunctionAnalysis } from "../analysis/engine.js";
import type { Candidate, Rule, RuleContext } from "./types.js";
import { CASE_URL } from "./types.js";
import { byNode, callName, tracksWithNotifier } from "./utils/observations.js";

export const mmuNotifierNoPin: Rule = {
  meta: {
    id: "mmu-notifier-no-pin",
    category: "mmu-notifier-no-pin",
    severity: "info",
    cases: ["case3"],
    description: "A new pin in code that already tracks the pages with an mmu notifier (CASE 3 needs no pin).",
    citation: { title: "pin_user_pages.rst: CASE 3: MMU notifier registration", url: CASE_URL.case3 },
    messages: {
      notifierPin:
        "This file tracks the range with an mmu notifier. If the references are dropped from the invalidate " +
        "callback, pin_user_pages.rst CASE 3 says neither FOLL_PIN nor FOLL_LONGTERM is needed; is the pin from " +
        "{{acquire}} required here?",
    },
  },
  check(fn: FunctionAnalysis, context: RuleContext): Candidate[] {
    if (!tracksWithNotifier(context.file, context.side)) return [];
    const out: Candidate[] = [];
    for (const [node, list] of byNode(fn, "acquire")) {
      const site = list[0]!.site;
      if (site.mode !== "pin") continue;
      out.push({ messageId: "notifierPin", data: { acquire: callName(site) }, anchors: [node], key: `notifier|${site.call}` });
    }
    return out;
  },
};
