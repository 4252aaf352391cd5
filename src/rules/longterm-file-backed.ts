// R10/R11: a FOLL_LONGTERM pin next to caller-side checks of the VMA or its
// file (fsdax, vm_file, hugetlbfs). GUP itself refuses long-term pins of
// fsdax memory (-EOPNOTSUPP) and, since 6.5, writable long-term pins of
// dirty-tracked file mappings (-EFAULT); callers should pass that error on
// rather than reason about VMAs. Advice, so info (dashboard only).
import { flagNames } from "../analysis/call-flags.js";
import { ACQUIRE } from "../diff/gup-symbols.js";
import { CASE_URL, type Rule } from "./types.js";

/** Caller-side tests of what kind of memory backs the range. */
const MEMORY_TYPE_CHECKS = /^(vma_is_fsdax|vma_is_dax|is_file_hugepages|vma_is_shmem|shmem_file)$/;

export const longtermFileBacked: Rule = {
  meta: {
    id: "longterm-file-backed",
    category: "longterm-file-backed",
    severity: "info",
    cases: ["case2"],
    description: "Caller-side VMA or file checks around a FOLL_LONGTERM pin, which GUP already polices for fsdax and file mappings.",
    citation: { title: "pin_user_pages.rst: CASE 2: RDMA (the DAX note)", url: CASE_URL.case2 },
    messages: {
      vmaCheck:
        "{{check}}() is used next to a FOLL_LONGTERM {{acquire}}(). GUP itself refuses long-term pins of fsdax " +
        "memory (-EOPNOTSUPP) and, since v6.5, writable long-term pins of dirty-tracked file mappings (-EFAULT); " +
        "callers are not meant to inspect VMAs or files. Please rely on GUP's check and pass its error back to user " +
        "space.",
    },
  },
  check(context) {
    for (const file of context.files) {
      for (const call of file.newCalls) {
        if (ACQUIRE[call.name]?.mode !== "pin" || !flagNames(file.facts, call).has("FOLL_LONGTERM")) continue;
        const check = file.newCalls.find((c) => c.fn === call.fn && c.line.status === "add" && MEMORY_TYPE_CHECKS.test(c.name));
        if (!check) continue;
        // Code that only moved (the same check on a removed line) is not new policy.
        const moved = file.facts.calls.some((c) => c.side === "old" && c.line.status === "del" && c.name === check.name && c.args.join() === check.args.join());
        if (moved) continue;
        context.report({
          messageId: "vmaCheck",
          data: { check: check.name, acquire: call.name },
          file: file.facts.path, line: check.line, function: call.fn, related: [call.line],
        });
      }
    }
  },
};
