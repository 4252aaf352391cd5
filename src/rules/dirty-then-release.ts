// R04/R05: open-coded "set_page_dirty(); unpin_user_page();" loops. The
// helper unpin_user_pages_dirty_lock() dirties under the folio lock and
// releases per folio; a bare set_page_dirty() on a user page is unsafe.
import { DIRTY_CALLS } from "../diff/gup-symbols.js";
import { CASE_URL, type Rule } from "./types.js";

export const dirtyThenRelease: Rule = {
  meta: {
    id: "dirty-then-release",
    category: "dirty-then-release",
    severity: "warning",
    cases: ["case1"],
    description: "Open-coded set_page_dirty(_lock)() + unpin_user_page() instead of unpin_user_pages_dirty_lock().",
    citation: { title: "pin_user_pages.rst: CASE 1: Direct IO (DIO)", url: CASE_URL.case1 },
    messages: {
      openCodedLoop:
        "This open-codes {{dirty}}() followed by {{release}}() for each page. unpin_user_pages_dirty_lock(pages, " +
        "npages, make_dirty) does both: it dirties each folio under the folio lock and unpins per folio " +
        "(unpin_user_page_range_dirty_lock() for a contiguous range).",
      unlockedDirty:
        "set_page_dirty() without the page lock is not safe on pinned user pages: the caller holds neither the " +
        "page lock nor a reference on the inode. Please use unpin_user_pages_dirty_lock(..., true), which " +
        "dirties under the folio lock.",
    },
  },
  check(context) {
    for (const file of context.files) {
      for (const dirty of file.newCalls) {
        if (!DIRTY_CALLS.has(dirty.name)) continue;
        const root = dirty.argRoots[0];
        if (!root) continue;
        const release = file.newCalls.find(
          (c) => c.fn === dirty.fn && c.order > dirty.order && c.name === "unpin_user_page" && c.argRoots[0] === root &&
            (dirty.loop === undefined ? c.loop === undefined : c.loop === dirty.loop),
        );
        if (!release) continue;
        const anchor = dirty.line.status === "add" ? dirty.line : release.line;
        if (anchor.status !== "add") continue;
        const locked = file.newCalls.some((c) => c.fn === dirty.fn && /^(lock_page|folio_lock|trylock_page)$/.test(c.name));
        // A patch that replaces the locking helper on purpose (atomic context) knows what it does.
        const deliberate = file.facts.calls.some(
          (c) => c.side === "old" && c.fn === dirty.fn && c.line.status === "del" && /^(unpin_user_pages?_dirty_lock|unpin_user_page_range_dirty_lock|set_page_dirty_lock)$/.test(c.name),
        );
        const unlocked = dirty.name === "set_page_dirty" && !locked;
        context.report({
          messageId: unlocked ? "unlockedDirty" : "openCodedLoop",
          // The open-coded pair works; only the unlocked dirtying is a bug.
          severity: unlocked && !deliberate ? "warning" : "info",
          data: { dirty: dirty.name, release: release.name },
          file: file.facts.path, line: anchor, function: dirty.fn, related: [dirty.line, release.line],
        });
      }
    }
  },
};
