// R18: page_address() on pages that came from user space. User pages may be
// in highmem (page_address() is NULL there) or otherwise unmapped, so the
// kernel must map them with kmap_local_page() around each access.
import { MAP_CALLS } from "../diff/gup-symbols.js";
import { type Rule } from "./types.js";
import { isHighmemFreePath } from "./utils/context.js";

export const highmemAccess: Rule = {
  meta: {
    id: "highmem-access",
    category: "highmem-access",
    severity: "warning",
    cases: [],
    description: "page_address() on pages from get_user_pages*()/pin_user_pages*() instead of kmap_local_page().",
    citation: {
      title: "Documentation/mm/highmem.rst: High Memory Handling",
      url: "https://docs.kernel.org/mm/highmem.html",
    },
    messages: {
      pageAddress:
        "{{map}}({{page}}) is used on a page that came from {{acquire}}(). User pages can live in highmem, where " +
        "{{map}}() returns NULL; please map them with kmap_local_page() and kunmap_local() around the access " +
        "(or vmap() if a long-lived mapping is needed).",
    },
  },
  check(context) {
    for (const file of context.files) {
      for (const call of file.newCalls) {
        if (call.line.status !== "add") continue;
        const map = MAP_CALLS[call.name];
        if (!map || map.highmemSafe) continue;
        const origin = file.origins
          .originsOf(call.argRoots[0] ?? null, call.fn)
          .find((o) => o.mode !== "kernel" && !o.mapped && !o.call.name.startsWith("iov_iter"));
        if (!origin || file.origins.originsOf(call.argRoots[0] ?? null, call.fn).some((o) => o.mode === "kernel")) continue;
        context.report({
          messageId: "pageAddress",
          data: { map: call.name, page: call.args[0] ?? "page", acquire: origin.call.name },
          file: file.facts.path,
          line: call.line,
          function: call.fn,
          severity: isHighmemFreePath(file.facts.path) ? "info" : "warning",
          related: [origin.call.line],
        });
      }
    }
  },
};
