// R01/R24: pages taken with get_user_pages*() (FOLL_GET) whose data is then
// written by the CPU or handed to a device. Such pages must be pinned:
// pin_user_pages.rst Case 1 (DIO), Case 2 (RDMA) and Case 5 (writing data).
import type { CallFact, LineRef } from "../analysis/facts.js";
import { CPU_READ_CALLS, CPU_WRITE_CALLS, DMA_SINKS, MAP_CALLS } from "../diff/gup-symbols.js";
import type { Origin } from "../analysis/page-origins.js";
import { CASE_URL, type FileContext, type Rule } from "./types.js";
import { isPtraceLikePath, locksPage, usesMmuNotifier } from "./utils/context.js";

type Access = { kind: "write" | "read" | "dma"; call: CallFact; origin: Origin };

/** Finds where pages of FOLL_GET origin are read, written or DMA-mapped. */
function accesses(file: FileContext): Access[] {
  const out: Access[] = [];
  const get = (root: string | null, fn: string | undefined, wantMapped: boolean): Origin | undefined =>
    file.origins.originsOf(root, fn).find((o) => o.mode === "get" && !!o.mapped === wantMapped && !o.call.name.startsWith("iov_iter"));
  const throughMapping = (call: CallFact, arg: number): Origin | undefined => {
    for (const inner of call.argCalls[arg] ?? []) {
      if (MAP_CALLS[inner.name]) {
        const o = get(inner.argRoots[0] ?? null, call.fn, false);
        if (o) return o;
      }
    }
    return get(call.argRoots[arg] ?? null, call.fn, true);
  };
  for (const call of file.newCalls) {
    if (CPU_WRITE_CALLS.has(call.name)) {
      const o = throughMapping(call, 0);
      if (o) out.push({ kind: "write", call, origin: o });
    }
    if (CPU_READ_CALLS.has(call.name)) {
      const o = throughMapping(call, 1);
      if (o) out.push({ kind: "read", call, origin: o });
    }
    const sinkArg = DMA_SINKS[call.name];
    if (sinkArg !== undefined) {
      const o = get(call.argRoots[sinkArg] ?? null, call.fn, false);
      if (o) out.push({ kind: "dma", call, origin: o });
    }
  }
  return out;
}

export const gupDataAccess: Rule = {
  meta: {
    id: "gup-data-access",
    category: "gup-data-access",
    severity: "error",
    cases: ["case1", "case2", "case5"],
    description: "Pages obtained with get_user_pages*() (FOLL_GET) whose data is written by the CPU or accessed by a device must be pinned instead.",
    citation: {
      title: "pin_user_pages.rst: CASE 5: Pinning in order to write to the data within the page",
      url: CASE_URL.case5,
    },
    messages: {
      cpuWrite:
        "{{fn}} writes into the data of a page it got from {{acquire}}(), which only takes a FOLL_GET reference. " +
        "Writing page data needs a pin: pin_user_pages.rst CASE 5 says to use {{pinVariant}}() and release with " +
        "unpin_user_pages_dirty_lock(..., true) instead of put_page(). Not everyone agrees CASE 5 is the right fix: " +
        "Matthew Wilcox argued on the list (Oct 2020) for keeping get_user_pages() but holding lock_page() across " +
        "kmap(), the write and set_page_dirty(), then unlock_page(). Either way, the page must not be written " +
        "through a bare FOLL_GET reference.",
      dma:
        "{{fn}} hands pages from {{acquire}}() to {{sink}}(), so a device (or the block layer) will access their " +
        "data. pin_user_pages.rst CASE 1 (DIO) and CASE 2 (RDMA) ask for FOLL_PIN here: use {{pinVariant}}() " +
        "(with FOLL_LONGTERM if the buffer stays registered after the syscall returns) and release with " +
        "unpin_user_pages*() instead of put_page().",
      cpuRead:
        "{{fn}} reads page data through a FOLL_GET reference from {{acquire}}(). Short reads like this are " +
        "tolerated, but pin_user_pages*() is the documented choice whenever the data matters (CASE 5).",
    },
  },
  check(context) {
    if (!context.target.hasPinApi) return; // pre-5.6 trees have no pin API to recommend
    for (const file of context.files) {
      const path = file.facts.path;
      if (isPtraceLikePath(path)) continue;
      const byAcquire = new Map<CallFact, Access[]>();
      for (const a of accesses(file)) byAcquire.set(a.origin.call, [...(byAcquire.get(a.origin.call) ?? []), a]);
      for (const [acquire, list] of byAcquire) {
        const fn = acquire.fn;
        if (usesMmuNotifier(file.facts, fn)) continue; // Case 3: no pin needed
        const chosen = list.find((a) => a.kind === "dma") ?? list.find((a) => a.kind === "write") ?? list[0]!;
        if (chosen.kind === "write" && locksPage(file.facts, fn)) continue; // the lock_page() alternative
        // Fire only when the patch adds the acquisition or the access.
        const anchor: LineRef | undefined = acquire.line.status === "add" ? chosen.call.line.status === "add" ? chosen.call.line : acquire.line : chosen.call.line;
        if (anchor.status !== "add") continue;
        const releases = file.newCalls.filter((c) => c.fn === fn && /^(put_page|folio_put|set_page_dirty(_lock)?)$/.test(c.name));
        const data = {
          fn: fn ? `${fn}()` : "This code",
          acquire: acquire.name,
          pinVariant: acquire.name.replace(/^get_user_pages/, "pin_user_pages").replace(/^get_user_page_vma_remote$/, "pin_user_pages_remote"),
          sink: chosen.call.name,
        };
        context.report({
          messageId: chosen.kind === "write" ? "cpuWrite" : chosen.kind === "dma" ? "dma" : "cpuRead",
          data,
          file: path,
          line: anchor,
          function: fn,
          severity: chosen.kind === "read" ? "info" : chosen.kind === "write" ? "warning" : "error",
          cases: chosen.kind === "dma" ? ["case1", "case2"] : ["case5"],
          citation: chosen.kind === "dma" ? { title: "pin_user_pages.rst: CASE 1: Direct IO (DIO) and CASE 2: RDMA", url: CASE_URL.case1 } : undefined,
          related: [acquire.line, chosen.call.line, ...releases.map((r) => r.line)],
        });
      }
    }
  },
};
