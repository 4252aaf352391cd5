// R07: pages acquired without FOLL_WRITE that are then written: by the CPU
// (through kmap/page_address), by a device (DMA_FROM_DEVICE or
// DMA_BIDIRECTIONAL), or dirtied on release. Without FOLL_WRITE GUP does
// not break COW, so the write can land in a page shared with another process.
// Judged only when the flags are literal at the call (a flags variable may
// get FOLL_WRITE conditionally, the read-only registration trap).
import type { CallFact } from "../analysis/facts.js";
import { flagsArgument } from "../analysis/call-flags.js";
import { ACQUIRE, CPU_WRITE_CALLS, DIRTY_CALLS, MAP_CALLS, RELEASE } from "../diff/gup-symbols.js";
import { CASE_URL, type FileContext, type Rule } from "./types.js";

/** DMA mapping calls: position of the page (or scatterlist) and of the direction argument. */
const DMA_MAPS: Record<string, { page?: number; dir: number }> = {
  dma_map_page: { page: 1, dir: 4 },
  dma_map_page_attrs: { page: 1, dir: 4 },
  ib_dma_map_page: { page: 1, dir: 4 },
  dma_map_sg: { dir: 3 },
  dma_map_sg_attrs: { dir: 3 },
  ib_dma_map_sg: { dir: 3 },
  dma_map_sgtable: { dir: 2 },
  ib_dma_map_sgtable_attrs: { dir: 2 },
};

/** Only FOLL_ names and 0 in the flags argument: what it passes is fully known. */
function literalFlags(call: CallFact): string | undefined {
  const pos = flagsArgument(call);
  if (pos === undefined) return undefined;
  const text = call.args[pos]?.trim() ?? "";
  return /^(0|FOLL_[A-Z_0-9]+)(\s*\|\s*FOLL_[A-Z_0-9]+)*$/.test(text) ? text : undefined;
}

/** Where the pages from `acquire` get written, if anywhere. */
function writeEvidence(file: FileContext, acquire: CallFact): { call: CallFact; how: string } | undefined {
  const fromAcquire = (root: string | null | undefined, mapped: boolean) =>
    file.origins.originsOf(root ?? null, acquire.fn).some((o) => o.call === acquire && !!o.mapped === mapped);
  const pagesHandedToSg = file.newCalls.some(
    (c) => c.fn === acquire.fn && /^(sg_set_page|sg_alloc_table_from_pages\w*|__sg_alloc_table_from_pages)$/.test(c.name) && fromAcquire(c.argRoots[1], false),
  );
  for (const call of file.newCalls) {
    if (call.fn !== acquire.fn || call.order < acquire.order) continue;
    if (CPU_WRITE_CALLS.has(call.name)) {
      const viaMap = (call.argCalls[0] ?? []).some((inner) => MAP_CALLS[inner.name] && fromAcquire(inner.argRoots[0], false));
      if (viaMap || fromAcquire(call.argRoots[0], true)) return { call, how: `${call.name}() writes into them` };
    }
    const dma = DMA_MAPS[call.name];
    if (dma && /DMA_(FROM_DEVICE|BIDIRECTIONAL)/.test(call.args[dma.dir] ?? "")) {
      const pageFlows = dma.page !== undefined ? fromAcquire(call.argRoots[dma.page], false) : pagesHandedToSg;
      if (pageFlows) return { call, how: `${call.name}() maps them ${/BIDIRECTIONAL/.test(call.args[dma.dir]!) ? "DMA_BIDIRECTIONAL" : "DMA_FROM_DEVICE"}, so the device writes into them` };
    }
    if (DIRTY_CALLS.has(call.name) && fromAcquire(call.argRoots[0], false)) return { call, how: `${call.name}() marks them dirty, so they were written` };
    const release = RELEASE[call.name];
    if (release?.dirtyArg !== undefined && /^(true|1)$/.test(call.args[release.dirtyArg]?.trim() ?? "") && fromAcquire(call.argRoots[release.arg], false)) {
      return { call, how: `${call.name}(..., true) marks them dirty, so they were written` };
    }
  }
  return undefined;
}

export const missingFollWrite: Rule = {
  meta: {
    id: "missing-foll-write",
    category: "missing-foll-write",
    severity: "error",
    cases: ["case1", "case2"],
    description: "Pages acquired without FOLL_WRITE that the CPU or a device then writes.",
    citation: { title: "pin_user_pages.rst: CASE 1: Direct IO (DIO) and CASE 2: RDMA", url: CASE_URL.case1 },
    messages: {
      noWrite:
        "{{acquire}}() is called with {{flags}}, without FOLL_WRITE, but {{how}} (line {{line}}). Without FOLL_WRITE " +
        "GUP does not break copy-on-write, so the write can land in a page still shared with another process (or " +
        "be lost). Please pass FOLL_WRITE whenever anything writes into these pages.",
    },
  },
  check(context) {
    for (const file of context.files) {
      for (const acquire of file.newCalls) {
        const spec = ACQUIRE[acquire.name];
        if (!spec || spec.iovIter) continue;
        const flags = literalFlags(acquire);
        if (flags === undefined || /FOLL_WRITE/.test(flags)) continue;
        const evidence = writeEvidence(file, acquire);
        if (!evidence) continue;
        const anchor = acquire.line.status === "add" ? acquire.line : evidence.call.line;
        context.report({
          messageId: "noWrite",
          data: { acquire: acquire.name, flags: flags === "0" ? "no flags" : flags, how: evidence.how, line: evidence.call.line.newLine ?? "?" },
          file: file.facts.path, line: anchor, function: acquire.fn, related: [acquire.line, evidence.call.line],
        });
      }
    }
  },
};
