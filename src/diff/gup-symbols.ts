// The one catalog of GUP/pin API names: how each call acquires or releases
// pages, where its pages and flags arguments are, and which FOLL_* flags are
// public, internal or removed. Sources: mm/gup.c, include/linux/mm*.h and
// Documentation/core-api/pin_user_pages.rst (see ../shared/reference).

/** How pages obtained from a call must be released. */
export type AcquireMode = "get" | "pin" | "extract" | "pin-folio";

export interface AcquireSpec {
  mode: AcquireMode;
  /** Position of the pages argument, by argument count (older signatures differ). */
  pagesArg: Record<number, number>;
  /** Position of the gup_flags argument, by argument count. */
  flagsArg?: Record<number, number>;
  /** Position of the page-count argument. */
  countArg?: Record<number, number>;
  /** The call returns the page itself (get_user_page_vma_remote). */
  returnsPage?: boolean;
  /** The pages argument is a pointer to the array pointer (iov_iter_*_alloc, extract). */
  doublePointer?: boolean;
  /** Only CPU/kernel-backed semantics apply (iov_iter), no gup_flags. */
  iovIter?: boolean;
}

export const ACQUIRE: Record<string, AcquireSpec> = {
  get_user_pages: { mode: "get", pagesArg: { 4: 3, 5: 3, 8: 6 }, flagsArg: { 4: 2, 5: 2 }, countArg: { 4: 1, 5: 1, 8: 3 } },
  get_user_pages_fast: { mode: "get", pagesArg: { 4: 3 }, flagsArg: { 4: 2 }, countArg: { 4: 1 } },
  get_user_pages_fast_only: { mode: "get", pagesArg: { 4: 3 }, flagsArg: { 4: 2 }, countArg: { 4: 1 } },
  __get_user_pages_fast: { mode: "get", pagesArg: { 4: 3 }, countArg: { 4: 1 } },
  get_user_pages_remote: { mode: "get", pagesArg: { 6: 4, 7: 4, 8: 5 }, flagsArg: { 6: 3, 7: 3, 8: 4 }, countArg: { 6: 2, 7: 2, 8: 3 } },
  get_user_pages_unlocked: { mode: "get", pagesArg: { 4: 2 }, flagsArg: { 4: 3 }, countArg: { 4: 1 } },
  get_user_pages_locked: { mode: "get", pagesArg: { 5: 3 }, flagsArg: { 5: 2 }, countArg: { 5: 1 } },
  get_user_pages_longterm: { mode: "get", pagesArg: { 5: 3 }, flagsArg: { 5: 2 }, countArg: { 5: 1 } },
  get_user_page_vma_remote: { mode: "get", pagesArg: {}, flagsArg: { 4: 2 }, returnsPage: true },
  pin_user_pages: { mode: "pin", pagesArg: { 4: 3, 5: 3 }, flagsArg: { 4: 2, 5: 2 }, countArg: { 4: 1, 5: 1 } },
  pin_user_pages_fast: { mode: "pin", pagesArg: { 4: 3 }, flagsArg: { 4: 2 }, countArg: { 4: 1 } },
  pin_user_pages_fast_only: { mode: "pin", pagesArg: { 4: 3 }, flagsArg: { 4: 2 }, countArg: { 4: 1 } },
  pin_user_pages_remote: { mode: "pin", pagesArg: { 6: 4, 7: 4, 8: 5 }, flagsArg: { 6: 3, 7: 3, 8: 4 }, countArg: { 6: 2, 7: 2, 8: 3 } },
  pin_user_pages_unlocked: { mode: "pin", pagesArg: { 4: 2 }, flagsArg: { 4: 3 }, countArg: { 4: 1 } },
  pin_user_pages_locked: { mode: "pin", pagesArg: { 5: 3 }, flagsArg: { 5: 2 }, countArg: { 5: 1 } },
  iov_iter_get_pages: { mode: "get", pagesArg: { 5: 1 }, iovIter: true },
  iov_iter_get_pages2: { mode: "get", pagesArg: { 5: 1 }, iovIter: true },
  iov_iter_get_pages_alloc: { mode: "get", pagesArg: { 4: 1 }, doublePointer: true, iovIter: true },
  iov_iter_get_pages_alloc2: { mode: "get", pagesArg: { 4: 1 }, doublePointer: true, iovIter: true },
  iov_iter_extract_pages: { mode: "extract", pagesArg: { 6: 1 }, doublePointer: true, iovIter: true },
  memfd_pin_folios: { mode: "pin-folio", pagesArg: { 6: 3 } },
};

export type ReleaseKind = "put" | "unpin" | "unpin-folio" | "put-user-page";

export interface ReleaseSpec {
  kind: ReleaseKind;
  /** Position of the page/array argument. */
  arg: number;
  /** Releases a whole array (count in `countArg`). */
  array?: boolean;
  countArg?: number;
  /** Position of a make_dirty argument. */
  dirtyArg?: number;
  /** Takes the folio lock to dirty: may sleep. */
  mayDirtyUnderLock?: boolean;
}

export const RELEASE: Record<string, ReleaseSpec> = {
  put_page: { kind: "put", arg: 0 },
  folio_put: { kind: "put", arg: 0 },
  put_folio: { kind: "put", arg: 0 },
  page_cache_release: { kind: "put", arg: 0 },
  release_pages: { kind: "put", arg: 0, array: true, countArg: 1 },
  folios_put: { kind: "put", arg: 0, array: true },
  put_user_page: { kind: "put-user-page", arg: 0 },
  put_user_pages: { kind: "put-user-page", arg: 0, array: true, countArg: 1 },
  put_user_pages_dirty: { kind: "put-user-page", arg: 0, array: true, countArg: 1 },
  put_user_pages_dirty_lock: { kind: "put-user-page", arg: 0, array: true, countArg: 1, dirtyArg: 2, mayDirtyUnderLock: true },
  unpin_user_page: { kind: "unpin", arg: 0 },
  unpin_user_pages: { kind: "unpin", arg: 0, array: true, countArg: 1 },
  unpin_user_pages_dirty_lock: { kind: "unpin", arg: 0, array: true, countArg: 1, dirtyArg: 2, mayDirtyUnderLock: true },
  unpin_user_page_range_dirty_lock: { kind: "unpin", arg: 0, countArg: 1, dirtyArg: 2, mayDirtyUnderLock: true },
  unpin_user_folio: { kind: "unpin-folio", arg: 0, countArg: 1 },
  unpin_folio: { kind: "unpin-folio", arg: 0 },
  unpin_folios: { kind: "unpin-folio", arg: 0, array: true, countArg: 1 },
};

export const DIRTY_CALLS = new Set(["set_page_dirty", "set_page_dirty_lock", "folio_mark_dirty", "folio_mark_dirty_lock"]);

/** Calls that give a kernel virtual address for a page. */
export const MAP_CALLS: Record<string, { highmemSafe: boolean }> = {
  page_address: { highmemSafe: false },
  lowmem_page_address: { highmemSafe: false },
  folio_address: { highmemSafe: false },
  kmap: { highmemSafe: true },
  kmap_atomic: { highmemSafe: true },
  kmap_local_page: { highmemSafe: true },
  kmap_local_folio: { highmemSafe: true },
  vmap: { highmemSafe: true },
};

/** Calls that hand a page to a device or an I/O path: arg = page/array position. */
export const DMA_SINKS: Record<string, number> = {
  dma_map_page: 1,
  dma_map_page_attrs: 1,
  ib_dma_map_page: 1,
  sg_set_page: 1,
  sg_alloc_table_from_pages: 1,
  sg_alloc_table_from_pages_segment: 1,
  __sg_alloc_table_from_pages: 1,
  sg_alloc_append_table_from_pages: 1,
  bio_add_page: 1,
  __bio_add_page: 1,
  bio_add_pc_page: 2,
  bio_add_hw_page: 2,
  skb_fill_page_desc: 2,
  __skb_fill_page_desc: 2,
  bvec_set_page: 1,
};

/** Calls that write through their first argument (the destination). */
export const CPU_WRITE_CALLS = new Set([
  "memcpy", "memmove", "memset", "memzero_explicit", "copy_from_user", "__copy_from_user", "raw_copy_from_user",
  "copy_from_iter", "_copy_from_iter", "copy_from_iter_full", "strcpy", "strscpy", "strncpy", "copy_page",
]);

/** Calls that read through their second argument (the source). */
export const CPU_READ_CALLS = new Set(["memcpy", "memmove", "copy_to_user", "__copy_to_user", "copy_to_iter", "_copy_to_iter"]);

/** Calls whose pages belong to the kernel, not to user space. */
export const KERNEL_PAGE_SOURCES = new Set([
  "alloc_page", "alloc_pages", "__get_free_page", "__get_free_pages", "virt_to_page", "virt_to_head_page",
  "vmalloc_to_page", "pfn_to_page", "find_get_page", "find_lock_page", "grab_cache_page", "read_mapping_page",
  "folio_alloc", "filemap_get_folio", "alloc_pages_node", "dev_alloc_pages", "page_pool_alloc_pages",
]);

/** Internal flags (mm/internal.h since 6.3): never at a call site. */
export const FOLL_INTERNAL = new Set([
  "FOLL_TOUCH", "FOLL_TRIED", "FOLL_REMOTE", "FOLL_PIN", "FOLL_FAST_ONLY", "FOLL_UNLOCKABLE", "FOLL_MADV_POPULATE",
]);

/** Names that select a hunk for review (regular-expression fragments). */
export const SELECTED_NAMES = [
  "get_user_pages\\w*", "__get_user_pages_fast", "pin_user_pages\\w*", "unpin_user_page\\w*", "put_user_page\\w*",
  "get_user_page_vma_remote", "FOLL_PIN", "FOLL_GET", "FOLL_LONGTERM", "FOLL_TOUCH", "FOLL_REMOTE",
  "FOLL_FAST_ONLY", "FOLL_UNLOCKABLE", "FOLL_TRIED", "iov_iter_get_pages\\w*", "iov_iter_extract_pages",
  "get_vaddr_frames", "frame_vector\\w*", "memfd_pin_folios", "unpin_folio\\w*", "page_maybe_dma_pinned",
  "folio_maybe_dma_pinned",
] as const;

/**
 * Literal substrings, one of which every selected name contains: the raw-byte
 * prefilter looks for these with Buffer.indexOf before any regex runs.
 */
export const SELECTED_NAME_ANCHORS = ["_user_page", "FOLL_", "iov_iter_", "vaddr_frames", "frame_vector", "_pin_folio", "unpin_folio", "maybe_dma_pinned"] as const;

/** Identifier boundary on both sides. */
const SELECT = new RegExp(`(?<![A-Za-z0-9_])(${SELECTED_NAMES.join("|")})(?![A-Za-z0-9_])`);

export function mentionsGupApi(text: string): boolean {
  return SELECT.test(text);
}
