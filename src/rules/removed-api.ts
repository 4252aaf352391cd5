// R12/R13: GUP API that no longer exists in the tree the patch targets.
// Version-aware: the target is the stable version in the subject when there
// is one, otherwise mainline as of the mail's date. An API removed in vX.Y
// is reported only once vX.Y was released (or for a stable tree >= vX.Y),
// so 2019 put_user_pages() conversions and backports stay silent.
import type { CallFact } from "../analysis/facts.js";
import { compareVersions, releaseDate } from "../review/kernel-releases.js";
import type { PatchTarget } from "../review/patch-target.js";
import { type Rule } from "./types.js";

interface Removal {
  /** First mainline release without it. */
  removedIn: string;
  replacement: string;
  /** Argument count of the removed signature, when the name was later reused with another one. */
  arity?: number;
}

const REMOVED_CALLS: Record<string, Removal> = {
  get_user_pages_longterm: { removedIn: "5.2", replacement: "pin_user_pages*() with FOLL_LONGTERM" },
  put_user_page: { removedIn: "5.6", replacement: "unpin_user_page()" },
  put_user_pages: { removedIn: "5.6", replacement: "unpin_user_pages()" },
  put_user_pages_dirty: { removedIn: "5.6", replacement: "unpin_user_pages_dirty_lock()" },
  put_user_pages_dirty_lock: { removedIn: "5.6", replacement: "unpin_user_pages_dirty_lock()" },
  __get_user_pages_fast: { removedIn: "5.8", replacement: "get_user_pages_fast_only()" },
  get_user_pages_locked: { removedIn: "5.18", replacement: "get_user_pages_remote(..., &locked) or get_user_pages_unlocked()" },
  pin_user_pages_locked: { removedIn: "5.18", replacement: "pin_user_pages_remote(..., &locked) or pin_user_pages_unlocked()" },
  iov_iter_get_pages: { removedIn: "6.1", arity: 5, replacement: "iov_iter_get_pages2(), or iov_iter_extract_pages() for direct I/O" },
  iov_iter_get_pages_alloc: { removedIn: "6.1", arity: 4, replacement: "iov_iter_get_pages_alloc2(), or iov_iter_extract_pages() for direct I/O" },
  pin_user_pages_fast_only: { removedIn: "6.3", replacement: "pin_user_pages_fast(), or get_user_pages_fast_only() in atomic context" },
  page_maybe_dma_pinned: { removedIn: "6.11", replacement: "folio_maybe_dma_pinned(page_folio(page))" },
};

const REMOVED_FLAGS: Record<string, Removal> = {
  FOLL_SPLIT: { removedIn: "5.12", replacement: "FOLL_SPLIT_PMD" },
  FOLL_POPULATE: { removedIn: "5.15", replacement: "nothing (populate with MADV_POPULATE_* or plain GUP)" },
  FOLL_MLOCK: { removedIn: "5.18", replacement: "nothing (mlock no longer goes through GUP flags)" },
  FOLL_COW: { removedIn: "6.0", replacement: "nothing (COW breaking is handled inside GUP)" },
  FOLL_NUMA: { removedIn: "6.5", replacement: "FOLL_HONOR_NUMA_FAULT" },
  FOLL_MIGRATION: { removedIn: "6.5", replacement: "nothing (GUP waits for migration itself)" },
};

/** Signatures that lost a parameter: name -> { argument count that still has it -> removal }. */
const REMOVED_PARAMETERS: Record<string, Record<number, Removal & { parameter: string }>> = {
  get_user_pages: { 5: { removedIn: "6.5", parameter: "vmas", replacement: "get_user_page_vma_remote() or vma_lookup() under the mmap lock" } },
  pin_user_pages: { 5: { removedIn: "6.5", parameter: "vmas", replacement: "vma_lookup() under the mmap lock, if the VMA is really needed" } },
  get_user_pages_remote: {
    7: { removedIn: "6.5", parameter: "vmas", replacement: "get_user_page_vma_remote()" },
    8: { removedIn: "5.9", parameter: "tsk", replacement: "the call without the task argument" },
  },
  pin_user_pages_remote: {
    7: { removedIn: "6.5", parameter: "vmas", replacement: "vma_lookup() under the mmap lock" },
    8: { removedIn: "5.9", parameter: "tsk", replacement: "the call without the task argument" },
  },
};

/** Is `removedIn` already gone from the tree this patch targets? */
export function goneFromTarget(removedIn: string, target: PatchTarget): boolean {
  if (target.stableVersion) return compareVersions(target.stableVersion, removedIn) >= 0;
  if (target.stableUnknown) return false; // a backport to an unnamed stable tree: can't tell
  const released = releaseDate(removedIn);
  return !!released && !!target.date && target.date.getTime() >= released.getTime();
}

/** The patch itself declares or defines the name (it is (re)introducing it). */
function declaredByPatch(name: string, patchText: string): boolean {
  return new RegExp(`^\\+[^;=(]*\\b(?:void|int|long|bool|ssize_t|size_t|unsigned|struct\\s+\\w+)\\b[\\s*]*${name}\\s*\\(`, "m").test(patchText);
}

/** Version-compat code keeps old names on purpose. */
function inCompatBlock(call: { line: { hunk: number } }, hunkTexts: string[]): boolean {
  return /LINUX_VERSION_CODE|KERNEL_VERSION\s*\(/.test(hunkTexts[call.line.hunk] ?? "");
}

export const removedApi: Rule = {
  meta: {
    id: "removed-api",
    category: "removed-api",
    severity: "error",
    cases: [],
    description: "A GUP/pin API, parameter or FOLL_ flag that the target tree no longer has.",
    citation: { title: "Documentation/core-api/mm-api.rst: get_user_pages() and friends", url: "https://docs.kernel.org/core-api/mm-api.html" },
    messages: {
      removedCall:
        "{{name}}() no longer exists: it was removed in v{{removedIn}}, so this does not build on {{target}}. " +
        "Please use {{replacement}} instead.",
      removedParameter:
        "{{name}}() lost its {{parameter}} parameter in v{{removedIn}}, so this call does not build on {{target}}. " +
        "Please use {{replacement}}.",
      removedFlag:
        "{{name}} was removed in v{{removedIn}}, so this does not build on {{target}}; use {{replacement}}.",
    },
  },
  check(context) {
    const target = context.target;
    const targetName = target.stableVersion ? `the ${target.stableVersion} tree` : "current mainline";
    for (const file of context.files) {
      const hunkTexts = file.facts.file.hunks.map((h) => h.lines.map((l) => l.text).join("\n"));
      const added = (c: CallFact) => c.line.status === "add" && !inCompatBlock(c, hunkTexts);
      for (const call of file.newCalls) {
        if (!added(call)) continue;
        const removal = REMOVED_CALLS[call.name];
        if (removal && (removal.arity === undefined || removal.arity === call.args.length) &&
          goneFromTarget(removal.removedIn, target) && !declaredByPatch(call.name, context.mail.patchText ?? "")) {
          context.report({
            messageId: "removedCall",
            data: { name: call.name, removedIn: removal.removedIn, replacement: removal.replacement, target: targetName },
            file: file.facts.path, line: call.line, function: call.fn,
          });
          continue;
        }
        const param = REMOVED_PARAMETERS[call.name]?.[call.args.length];
        if (param && goneFromTarget(param.removedIn, target)) {
          context.report({
            messageId: "removedParameter",
            data: { name: call.name, parameter: param.parameter, removedIn: param.removedIn, replacement: param.replacement, target: targetName },
            file: file.facts.path, line: call.line, function: call.fn,
          });
        }
      }
      for (const use of file.facts.identifiers) {
        const removal = REMOVED_FLAGS[use.name];
        if (!removal || use.side !== "new" || use.line.status !== "add" || use.inPreprocessor) continue;
        if (inCompatBlock(use, hunkTexts) || !goneFromTarget(removal.removedIn, target)) continue;
        context.report({
          messageId: "removedFlag",
          data: { name: use.name, removedIn: removal.removedIn, replacement: removal.replacement, target: targetName },
          file: file.facts.path, line: use.line, function: use.fn,
        });
      }
    }
  },
};
