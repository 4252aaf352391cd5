// Small shared judgments the rules make about a call's surroundings.
import type { CallFact, Condition, FileFacts } from "../../analysis/facts.js";

/** A branch chosen by "is this pinned?": the release inside is deliberate. */
export function guardedByPinTest(conditions: Condition[]): boolean {
  return conditions.some((c) => /pin|PINNED|will_pin|user_backed|is_user|REFFED|NO_PAGE_REF|ITER_(UBUF|IOVEC)/i.test(c.text));
}

/** Paths where FOLL_GET access to another process's pages is the design (ptrace, uprobes, exec, coredump, futex, perf). */
export function isPtraceLikePath(path: string): boolean {
  return /^(kernel\/ptrace\.c|kernel\/events\/|kernel\/futex|fs\/exec\.c|fs\/binfmt_|fs\/proc\/|arch\/[^/]+\/kernel\/ptrace|mm\/)/.test(path);
}

/** Case 3: pages are tracked through an mmu notifier, so no pin is needed. */
export function usesMmuNotifier(facts: FileFacts, fn: string | undefined): boolean {
  return facts.calls.some(
    (c) => /mmu_interval_notifier|mmu_notifier_|hmm_range_fault|mmu_interval_read/.test(c.name) && (c.fn === fn || fn === undefined),
  ) || facts.file.hunks.some((h) => h.lines.some((l) => /\bmmu_interval_notifier\b|\bhmm_range_fault\b/.test(l.text)));
}

/** 64-bit-only architectures have no highmem. */
export function isHighmemFreePath(path: string): boolean {
  return /^(arch\/(s390|arm64|alpha|ia64|loongarch|riscv|powerpc\/(mm\/book3s64|kvm\/book3s_64|platforms\/pseries))\/|drivers\/s390\/|drivers\/vfio\/pci\/vfio_pci_zdev\.c$)/.test(path);
}

export function callsIn(facts: FileFacts, fn: string | undefined, side: "new" | "old" = "new"): CallFact[] {
  return facts.calls.filter((c) => c.side === side && c.fn === fn);
}

/** Does the function lock the page (Wilcox's alternative to Case 5)? */
export function locksPage(facts: FileFacts, fn: string | undefined): boolean {
  return callsIn(facts, fn).some((c) => /^(lock_page|folio_lock|trylock_page|folio_trylock|lock_page_killable)$/.test(c.name));
}
