// R09: FOLL_LONGTERM passed to get_user_pages*(). Long-term references must be
// pins; since 6.3 is_valid_gup_args() WARNs and the call fails.
import { ACQUIRE } from "../diff/gup-symbols.js";
import type { CallFact, FileFacts } from "../analysis/facts.js";
import { flagsArgument } from "../analysis/page-origins.js";
import { CASE_URL, type Rule } from "./types.js";

/** The FOLL_* names a flags argument can carry, following a flags variable built in the same function. */
export function flagNames(facts: FileFacts, call: CallFact): Set<string> {
  const pos = flagsArgument(call);
  const names = new Set<string>();
  if (pos === undefined) return names;
  const text = call.args[pos] ?? "";
  for (const m of text.matchAll(/\bFOLL_[A-Z_0-9]+\b/g)) names.add(m[0]);
  const variable = /^[A-Za-z_][\w>.-]*$/.test(text.trim()) ? text.trim() : undefined;
  if (variable) {
    for (const a of facts.assigns) {
      if (a.side !== call.side || a.fn !== call.fn || a.lhs !== variable || a.order > call.order) continue;
      for (const m of a.rhsText.matchAll(/\bFOLL_[A-Z_0-9]+\b/g)) names.add(m[0]);
    }
  }
  return names;
}

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
