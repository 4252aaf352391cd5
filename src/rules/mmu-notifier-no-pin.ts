// Case 3: code that tracks user pages with an mmu notifier (or faults them
// through hmm_range_fault()) and drops its references on invalidation needs
// no FOLL_PIN. A new pin_user_pages*() call there is worth a question.
// Advice, so info (dashboard only).
import { ACQUIRE } from "../diff/gup-symbols.js";
import { CASE_URL, type Rule } from "./types.js";
import { usesMmuNotifier } from "./utils/context.js";

export const mmuNotifierNoPin: Rule = {
  meta: {
    id: "mmu-notifier-no-pin",
    category: "mmu-notifier-no-pin",
    severity: "info",
    cases: ["case3"],
    description: "A new pin in code that already tracks the pages with an mmu notifier (Case 3 needs no pin).",
    citation: { title: "pin_user_pages.rst: CASE 3: MMU notifier registration", url: CASE_URL.case3 },
    messages: {
      notifierPin:
        "This code tracks the range with an mmu notifier. If the references are dropped from the invalidate " +
        "callback, pin_user_pages.rst CASE 3 says neither FOLL_PIN nor FOLL_LONGTERM is needed; is the pin from " +
        "{{acquire}}() required here?",
    },
  },
  check(context) {
    for (const file of context.files) {
      for (const call of file.newCalls) {
        const spec = ACQUIRE[call.name];
        if (!spec || spec.mode !== "pin" || call.line.status !== "add") continue;
        if (!usesMmuNotifier(file.facts, call.fn)) continue;
        context.report({ messageId: "notifierPin", data: { acquire: call.name }, file: file.facts.path, line: call.line, function: call.fn });
      }
    }
  },
};
