// R09: FOLL_LONGTERM passed to get_user_pages*(). Long-term references must be
// pins; since 6.3 is_valid_gup_args() WARNs and the call fails.
import { ACQUIRE } from "../diff/gup-symbols.js";
import { flagNames } from "../analysis/call-flags.js";
import { CASE_URL, type Rule } from "./types.js";

export const longtermWithoutPin: Rule = {
  meta: {
    id: "longterm-without-pin",
    category: "longterm-without-pin",
    severity: "error",
    cases: ["case2"],
    description: "FOLL_LONGTERM passed to get_user_pages*(): long-term references must be FOLL_PIN pins.",
    citation: { title: "pin_user_pages.rst: CASE 2: RDMA", url: CASE_URL.case2 },
    messages: {
      longtermGet:
        "{{call}}() is called with FOLL_LONGTERM. FOLL_PIN is a prerequisite for FOLL_LONGTERM (pin_user_pages.rst, " +
        "CASE 2), and since v6.3 GUP WARNs and rejects this combination. Please use {{pinVariant}}(..., " +
        "FOLL_LONGTERM ...) and release the pages with unpin_user_pages*().",
    },
  },
  check(context) {
    if (!context.target.hasPinApi) return;
    for (const file of context.files) {
      for (const call of file.newCalls) {
        const spec = ACQUIRE[call.name];
        if (!spec || spec.mode !== "get" || spec.iovIter || call.line.status !== "add") continue;
        if (!flagNames(file.facts, call).has("FOLL_LONGTERM")) continue;
        context.report({
          messageId: "longtermGet",
          data: { call: call.name, pinVariant: call.name.replace(/^get_/, "pin_") },
          file: file.facts.path, line: call.line, function: call.fn,
        });
      }
    }
  },
};
