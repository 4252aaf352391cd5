// R02/R03/R16: pages released with the wrong helper. Pinned pages carry a
// pin bias that only unpin_user_page*() removes; FOLL_GET references must be
// dropped with put_page(); and the exact page that was pinned must be
// unpinned, not its compound head.
import type { CallFact } from "../analysis/facts.js";
import { RELEASE } from "../diff/gup-symbols.js";
import { CASE_URL, type FileContext, type Report, type Rule } from "./types.js";
import { guardedByPinTest } from "./utils/context.js";

function takesExtraReference(file: FileContext, root: string | null, fn: string | undefined): boolean {
  return file.newCalls.some(
    (c) => c.fn === fn && /^(get_page|folio_get|try_get_page|folio_try_get|page_ref_inc|folio_ref_inc|folio_ref_add)$/.test(c.name) && c.argRoots[0] === root,
  );
}

/** The same release was already there before the patch (the patch only moved it). */
function existedBefore(file: FileContext, call: CallFact): boolean {
  return file.facts.calls.some((c) => c.side === "old" && c.name === call.name && c.args.join(",") === call.args.join(",") && c.line.status === "del");
}

const UNPIN_PAGES = /^(unpin_user_page|unpin_user_pages|unpin_user_pages_dirty_lock)$/;
/** Helpers that do the folio-level accounting right after coalescing. */
const FOLIO_AWARE = /^(unpin_user_folio|unpin_folio|unpin_folios|folio_add_pins|folio_add_pin)$/;

/** Where the array behind `root` came from: "page_array = *pages" gives "pages". */
function sourcesOf(file: FileContext, root: string, fn: string | undefined): Set<string> {
  const names = new Set([root]);
  for (const a of file.facts.assigns) {
    if (a.side === "new" && a.fn === fn && a.lhs === root && a.operator === "=" && !a.rhsCall && a.rhsRoots.length === 1) names.add(a.rhsRoots[0]!);
  }
  return names;
}

/**
 * R16: the head page of a pinned tail page is stored where the pinned pages
 * were, so the later unpin gets a page that was never pinned. Evidence that
 * the source pages are pinned: their origin, or this function unpinning them.
 * Evidence that the head is unpinned later: an unpin of it here, or the new
 * array replacing the caller's pinned array ("*pages = new_array").
 */
function reportHeadPages(file: FileContext, report: (r: Report) => void): void {
  for (const a of file.facts.assigns) {
    if (a.side !== "new" || a.line.status !== "add" || !a.rhsCall) continue;
    if (a.rhsCall.name !== "compound_head" && !/folio_page\(.*,\s*0\s*\)/.test(a.rhsText)) continue;
    const source = a.rhsCall.argRoots[0];
    if (!source) continue;
    const fnCalls = file.newCalls.filter((c) => c.fn === a.fn);
    if (fnCalls.some((c) => FOLIO_AWARE.test(c.name))) continue;
    const pinned = file.origins.originsOf(source, a.fn).find((o) => o.mode === "pin")?.call ??
      fnCalls.find((c) => UNPIN_PAGES.test(c.name) && c.argRoots[0] === source);
    if (!pinned) continue;
    const sources = sourcesOf(file, source, a.fn);
    const handBack = file.facts.assigns.find(
      (b) => b.side === "new" && b.fn === a.fn && b.order > a.order && b.operator === "=" && sources.has(b.lhs) &&
        b.lhs !== source && b.rhsRoots.length === 1 && b.rhsRoots[0] === a.lhs,
    );
    const unpinned = file.newCalls.find(
      (c) => UNPIN_PAGES.test(c.name) &&
        (c.argRoots[0] === a.lhs || file.origins.originsOf(c.argRoots[0] ?? null, c.fn).some((o) => o.via === a.rhsCall!.name)),
    );
    const laterRelease = unpinned?.line ?? handBack?.line;
    if (!laterRelease) continue;
    report({
      messageId: "headPageUnpinned",
      data: { lhs: a.lhsText, helper: a.rhsCall.name, source: a.rhsCall.argRoots[0] ?? "the page" },
      file: file.facts.path, line: a.line, function: a.fn, related: [pinned.line, laterRelease],
      citation: { title: "pin_user_pages.rst: Tracking dma-pinned pages", url: CASE_URL.tracking },
    });
  }
}

export const releaseMismatch: Rule = {
  meta: {
    id: "release-mismatch",
    category: "release-mismatch",
    severity: "error",
    cases: ["basics"],
    description: "Pinned pages released with put_page()/release_pages(), FOLL_GET pages released with unpin_user_page*(), or a different page unpinned than the one pinned.",
    citation: { title: "pin_user_pages.rst: Basic description of FOLL_PIN", url: CASE_URL.basics },
    messages: {
      pinReleasedWithPut:
        "The pages in {{page}} come from {{acquire}}(), which takes FOLL_PIN pins, but they are released here with " +
        "{{release}}(). A pin must be dropped with unpin_user_page(), unpin_user_pages() or " +
        "unpin_user_pages_dirty_lock(); put_page() leaves the pin bias behind and the page looks pinned forever.",
      getReleasedWithUnpin:
        "The pages in {{page}} come from {{acquire}}(), which takes plain FOLL_GET references, but they are released " +
        "here with {{release}}(). unpin_user_page*() subtracts a pin that was never taken and corrupts the refcount: " +
        "either drop them with put_page() or take them with the pin_user_pages*() counterpart.",
      headPageUnpinned:
        "{{lhs}} is set to {{helper}}() of a pinned page from {{source}}, and {{lhs}} is what gets unpinned later. " +
        "unpin_user_page*() must get exactly the pages that were pinned; for a tail page the head is a different " +
        "page, so the pin accounting goes wrong (CONFIG_DEBUG_VM catches it in sanity_check_pinned_pages()). " +
        "Use unpin_user_folio() with the number of pins taken on the folio, or keep the original pages.",
    },
  },
  check(context) {
    for (const file of context.files) {
      for (const call of file.newCalls) {
        const spec = RELEASE[call.name];
        if (!spec || call.line.status !== "add") continue;
        if (guardedByPinTest(call.conditions) || existedBefore(file, call)) continue;
        const root = call.argRoots[spec.arg] ?? null;
        const origins = file.origins.originsOf(root, call.fn).filter((o) => !o.mapped);
        const modes = new Set(origins.map((o) => o.mode));
        if (modes.size !== 1) continue; // unknown or mixed origins: say nothing
        const origin = origins[0]!;
        if (spec.kind === "put" && (origin.mode === "pin" || origin.mode === "pin-folio")) {
          if (takesExtraReference(file, root, call.fn)) continue;
          context.report({
            messageId: "pinReleasedWithPut",
            data: { page: call.args[spec.arg] ?? "pages", acquire: origin.call.name, release: call.name },
            file: file.facts.path, line: call.line, function: call.fn, related: [origin.call.line],
            citation: { title: "pin_user_pages.rst: Tracking dma-pinned pages", url: CASE_URL.tracking },
          });
        } else if ((spec.kind === "unpin" || spec.kind === "unpin-folio") && origin.mode === "get" && !origin.via) {
          context.report({
            messageId: "getReleasedWithUnpin",
            data: { page: call.args[spec.arg] ?? "pages", acquire: origin.call.name, release: call.name },
            file: file.facts.path, line: call.line, function: call.fn, related: [origin.call.line],
          });
        }
      }
      reportHeadPages(file, context.report);
    }
  },
};
