// Information only: a caller checking the memory type (fsdax, the VMA's file)
// around a FOLL_LONGTERM pin. GUP itself refuses long-term pins of fsdax and,
// from 6.5, writable long-term pins of dirty-tracked file mappings.
import { apiRow } from "../api/catalog.js";
import { callsIn, type FunctionAnalysis } from "../analysis/engine.js";
import type { Candidate, Rule, RuleContext } from "./types.js";
import { CASE_URL } from "./types.js";
import { byNode, callName } from "./utils/observations.js";

export const longtermFileBacked: Rule = {
  meta: {
    id: "longterm-file-backed",
    category: "longterm-file-backed",
    severity: "info",
    cases: ["case2"],
    description: "Caller-side VMA or file checks around a FOLL_LONGTERM pin, which GUP already polices.",
    citation: { title: "pin_user_pages.rst: CASE 2: RDMA (the DAX note)", url: CASE_URL.case2 },
    messages: {
      vmaCheck:
        "{{check}}() is used next to a FOLL_LONGTERM {{acquire}}. GUP itself refuses long-term pins of fsdax memory " +
        "and, in newer kernels, writable long-term pins of dirty-tracked file mappings; callers are not meant to " +
        "inspect VMAs or files. Please rely on GUP's check and pass its error back to user space.",
    },
  },
  check(fn: FunctionAnalysis, _context: RuleContext): Candidate[] {
    const out: Candidate[] = [];
    const checks = fn.cfg.nodes.flatMap((n) => callsIn(n.expr).filter((c) => c.fn && apiRow(c.fn)?.fileBackedCheck).map((c) => ({ node: n.id, name: c.fn! })));
    if (checks.length === 0) return out;
    for (const [node, list] of byNode(fn, "acquire")) {
      const site = list[0]!.site;
      if (site.mode === "get" || !list.some((o) => o.site.flags?.may.some((f) => apiRow(f)?.flag?.longterm))) continue;
      const check = checks[0]!;
      out.push({ messageId: "vmaCheck", data: { check: check.name, acquire: callName(site) }, anchors: [check.node, node], key: `vma|${check.name}|${site.call}` });
    }
    return out;
  },
};
