// Case 4: pages that are only looked at as struct pages (their flags,
// folio, refcount) and never have their data accessed need no pin; a
// FOLL_GET reference is enough. Fires on a new pin whose pages, in the
// visible function, reach nothing but struct-page queries and the release.
// Advice, so info (dashboard only).
import { pagesArgument } from "../analysis/page-origins.js";
import { ACQUIRE, RELEASE } from "../diff/gup-symbols.js";
import { CASE_URL, type Rule } from "./types.js";

const STRUCT_PAGE_QUERIES = /^(Page[A-Z]\w*|page_folio|folio_test_\w+|page_count|page_mapcount|folio_mapcount|compound_head|is_zone_device_page|page_zone|page_to_nid|folio_nid|page_mapping|folio_mapping)$/;

export const structPageOnly: Rule = {
  meta: {
    id: "struct-page-only",
    category: "struct-page-only",
    severity: "info",
    cases: ["case4"],
    description: "A pin on pages whose data is never accessed; Case 4 says FOLL_GET is enough for struct page manipulation.",
    citation: { title: "pin_user_pages.rst: CASE 4: Pinning for struct page manipulation only", url: CASE_URL.case4 },
    messages: {
      metadataOnly:
        "The pages from {{acquire}}() are only inspected as struct pages here ({{uses}}), never read or written. " +
        "pin_user_pages.rst CASE 4 says a plain FOLL_GET reference (get_user_pages*()) is enough for that.",
    },
  },
  check(context) {
    for (const file of context.files) {
      for (const call of file.newCalls) {
        const spec = ACQUIRE[call.name];
        if (!spec || spec.mode !== "pin" || spec.iovIter || call.line.status !== "add") continue;
        const pos = pagesArgument(call);
        const root = pos === undefined ? null : call.argRoots[pos];
        if (!root || root.includes("->")) continue;
        const uses = file.newCalls.filter((c) => c !== call && c.fn === call.fn && c.argRoots.includes(root));
        const aliased = file.facts.assigns.some((a) => a.side === "new" && a.fn === call.fn && a.rhsRoots.includes(root) && !a.rhsCall);
        const queries = uses.filter((c) => STRUCT_PAGE_QUERIES.test(c.name));
        const others = uses.filter((c) => !STRUCT_PAGE_QUERIES.test(c.name) && !RELEASE[c.name]);
        if (aliased || queries.length === 0 || others.length > 0) continue;
        // The whole function must be visible: its definition is in the hunks.
        if (!file.facts.functions.some((f) => f.side === "new" && f.name === call.fn)) continue;
        context.report({
          messageId: "metadataOnly",
          data: { acquire: call.name, uses: [...new Set(queries.map((q) => `${q.name}()`))].join(", ") },
          file: file.facts.path, line: call.line, function: call.fn, related: queries.map((q) => q.line),
        });
      }
    }
  },
};
