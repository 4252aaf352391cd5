// Where code only ever runs on 64-bit kernels, which have no highmem: arch and
// driver directories of 64-bit-only architectures, and Kconfig dependencies a
// series adds for the code it touches.

/** Directories whose code is built only for 64-bit architectures. */
const SIXTY_FOUR_BIT_PATHS = [
  "arch/arm64/", "arch/s390/", "drivers/s390/", "drivers/vfio/pci/vfio_pci_zdev.c", "drivers/iommu/s390-iommu.c", "arch/alpha/", "arch/ia64/", "arch/loongarch/",
  "arch/powerpc/kvm/book3s_64", "arch/powerpc/mm/book3s64/", "arch/powerpc/platforms/powernv/", "arch/powerpc/platforms/pseries/",
  "arch/x86/kvm/svm/", "arch/x86/kvm/vmx/", "arch/x86/coco/", "arch/riscv/kvm/",
] as const;

/** Kconfig dependencies that mean 64-bit only. */
const SIXTY_FOUR_BIT_DEPENDS = /^\s*depends\s+on\s+.*\b(64BIT|X86_64|ARM64|S390|PPC64|ALPHA|IA64|LOONGARCH|RISCV_64|SPARC64|MIPS64)\b/m;

/** Code at `path` never runs on a 32-bit (highmem) kernel, by its path or by the Kconfig the series adds. */
export function sixtyFourBitOnly(path: string, seriesKconfig: string): boolean {
  if (SIXTY_FOUR_BIT_PATHS.some((p) => path.startsWith(p))) return true;
  return SIXTY_FOUR_BIT_DEPENDS.test(seriesKconfig);
}

/** An #if/#ifdef condition (as the CFG records it, "!(...)" for an #else) under which highmem cannot exist. */
export function excludesHighmem(condition: string): boolean {
  let c = condition.trim();
  let negated = false;
  for (let guard = 0; guard < 8; guard++) {
    if (c.startsWith("!(") && c.endsWith(")")) c = c.slice(2, -1).trim();
    else if (c.startsWith("!")) c = c.slice(1).trim();
    else break;
    negated = !negated;
  }
  const name = /^(?:defined\s*\(\s*(\w+)\s*\)|IS_ENABLED\s*\(\s*(\w+)\s*\)|defined\s+(\w+)|(\w+))$/.exec(c);
  const config = name ? (name[1] ?? name[2] ?? name[3] ?? name[4]) : undefined;
  if (config === "CONFIG_HIGHMEM") return negated;
  if (config && /^CONFIG_(64BIT|X86_64|ARM64|PPC64|S390)$/.test(config)) return !negated;
  return false;
}

/**
 * Code that uses FOLL_GET references by design (ptrace, uprobes, exec,
 * core dumps, futexes, perf): short, kernel-controlled accesses that
 * pin_user_pages.rst does not ask to convert.
 */
const GET_BY_DESIGN_PATHS = ["kernel/ptrace.c", "kernel/events/", "fs/exec.c", "fs/binfmt_", "kernel/futex/", "kernel/futex.c", "fs/coredump.c", "mm/"] as const;

export function getReferencesByDesign(path: string): boolean {
  return GET_BY_DESIGN_PATHS.some((p) => path.startsWith(p));
}

/** An #if that selects code by kernel version (out-of-tree compatibility): old names there are on purpose. */
export function isVersionCompat(condition: string): boolean {
  return /\b(LINUX_VERSION_CODE|KERNEL_VERSION)\b/.test(condition);
}
