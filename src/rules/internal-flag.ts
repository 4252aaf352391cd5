// R08: internal FOLL_* bits at a call site. FOLL_PIN is set only by the
// pin_user_pages*() wrappers; FOLL_GET must not go to a pin_* call.
import { flagNames } from "../analysis/call-flags.js";
import { ACQUIRE, FOLL_INTERNAL } from "../diff/gup-symbols.js";
import { CASE_URL, type Rule } from "./types.js";

/** mm/ and the headers that define the flags use them legitimately. */
function mayUseInternalFlags(path: string): boolean {
  return /^(mm\/|lib\/iov_iter\.c$|include\/linux\/mm[^/]*\.h$|include\/linux\/(gup|pagemap|hugetlb)\.h$|tools\/|lib\/test_|Documentation\/)/.test(path);
}

export const internalFlag: Rule = {
  meta: {
    id: "internal-flag",
    category: "internal-flag",
    severity: "error",
    cases: ["basics"],
    description: "FOLL_PIN (or another internal FOLL_ flag) at a call site, or FOLL_GET passed to a pin_user_pages*() call.",
    citation: { title: "pin_user_pages.rst: Basic description of FOLL_PIN", url: CASE_URL.basics },
    messages: {
      internalFlag:
        "{{flag}} is internal to mm/gup.c and must not be set by callers: pin_user_pages.rst says FOLL_PIN is set " +
        "only by the pin_user_pages*() wrappers. Since v6.3 is_valid_gup_args() WARNs and the call fails. Please " +
        "call the pin_user_pages*() wrapper and pass only public flags such as FOLL_WRITE or FOLL_LONGTERM.",
      getToPin:
        "FOLL_GET is passed to {{call}}(). FOLL_PIN and FOLL_GET are mutually exclusive for a given call " +
        "(pin_user_pages.rst), so GUP WARNs and rejects it; drop FOLL_GET.",
    },
  },
  check(context) {
    for (const file of context.files) {
      const path = file.facts.path;
      if (mayUseInternalFlags(path)) continue;
      // Only flags that reach a GUP call count: FOLL_PIN used as a cleanup-mode
      // marker (bio, skb) is a different question for a human.
      for (const call of file.newCalls) {
        const spec = ACQUIRE[call.name];
        if (!spec || call.line.status !== "add") continue;
        const flags = flagNames(file.facts, call);
        const internal = [...flags].find((f) => FOLL_INTERNAL.has(f));
        if (internal) {
          context.report({ messageId: "internalFlag", data: { flag: internal }, file: path, line: call.line, function: call.fn });
        } else if (spec.mode === "pin" && flags.has("FOLL_GET")) {
          context.report({ messageId: "getToPin", data: { call: call.name }, file: path, line: call.line, function: call.fn });
        }
      }
    }
  },
};
