// The API-effects table: one row per kernel symbol the analysis knows, with
// every effect a call to it has (acquires or releases pages, maps them, hands
// them to a device, dirties them, sleeps, locks, registers a callback, tests
// something) and the releases that added, changed or removed it.
//
// Sources: mm/gup.c, include/linux/mm*.h, lib/iov_iter.c, the block, DMA and
// highmem headers, Documentation/core-api/pin_user_pages.rst, and the
// inventory in ../shared/reference/gup-review-rules.md. Versions marked
// approximate are recalled from history rather than read off a merge; the
// bot never prints them as exact.
//
// A new variant of an API is one new row here; no rule lists names of its own.
import type { ApiRow } from "./effect-types.js";

// get_user_pages() and get_user_pages_remote() changed shape several times:
// tsk/mm dropped in 4.6 (tsk from _remote in 5.9), write/force became
// gup_flags in 4.9, vmas went away in 6.5.
const GUP_PAGES = { 4: 3, 5: 3, 6: 4, 8: 6 } as const;
const GUP_COUNT = { 4: 1, 5: 1, 6: 1, 8: 3 } as const;
const GUP_FLAGS = { 4: 2, 5: 2 } as const;
const REMOTE_PAGES = { 6: 4, 7: 4, 8: 5 } as const;
const REMOTE_COUNT = { 6: 2, 7: 2, 8: 3 } as const;
const REMOTE_FLAGS = { 6: 3, 7: 3, 8: 4 } as const;

const ACQUIRERS: ApiRow[] = [
  {
    name: "get_user_pages", counterpart: "pin_user_pages", about: "takes references (FOLL_GET) on the pages of current->mm; needs the mmap lock", selects: true,
    signatures: [{ arity: 5, parameter: "vmas", removed: "6.5", replacement: "get_user_page_vma_remote" }, { arity: 8, parameter: "tsk, mm", removed: "4.6", replacement: "get_user_pages_remote", approximate: true }],
    acquire: { mode: "get", pages: { arg: GUP_PAGES, form: "array" }, count: GUP_COUNT, flags: GUP_FLAGS, returns: "count", implies: ["FOLL_TOUCH"] },
  },
  {
    name: "get_user_pages_fast", counterpart: "pin_user_pages_fast", about: "takes references (FOLL_GET) without the mmap lock, falling back to the slow path", selects: true,
    acquire: { mode: "get", pages: { arg: 3, form: "array" }, count: 1, flags: 2, returns: "count" },
  },
  {
    name: "get_user_pages_fast_only", counterpart: "pin_user_pages_fast_only", about: "takes references from the lockless walk only; never sleeps", selects: true, era: { since: "5.8" },
    acquire: { mode: "get", pages: { arg: 3, form: "array" }, count: 1, flags: 2, returns: "count", atomicSafe: true },
  },
  {
    name: "__get_user_pages_fast", about: "the old name of get_user_pages_fast_only()", selects: true,
    era: { removed: "5.8", replacement: "get_user_pages_fast_only" },
    acquire: { mode: "get", pages: { arg: 3, form: "array" }, count: 1, flags: 2, returns: "count", atomicSafe: true },
  },
  {
    name: "get_user_pages_remote", counterpart: "pin_user_pages_remote", about: "takes references on the pages of another mm; needs its mmap lock", selects: true,
    signatures: [{ arity: 7, parameter: "vmas", removed: "6.5", replacement: "get_user_page_vma_remote" }, { arity: 8, parameter: "tsk", removed: "5.9", replacement: "get_user_pages_remote", approximate: true }],
    acquire: { mode: "get", pages: { arg: REMOTE_PAGES, form: "array" }, count: REMOTE_COUNT, flags: REMOTE_FLAGS, returns: "count", implies: ["FOLL_TOUCH", "FOLL_REMOTE"] },
  },
  {
    name: "get_user_pages_unlocked", counterpart: "pin_user_pages_unlocked", about: "takes references, taking and dropping the mmap lock itself", selects: true,
    acquire: { mode: "get", pages: { arg: 2, form: "array" }, count: 1, flags: 3, returns: "count" },
  },
  {
    name: "get_user_pages_locked", counterpart: "pin_user_pages_locked", about: "takes references with a locked pointer", selects: true,
    era: { removed: "5.18", replacement: "get_user_pages_remote", approximate: true },
    acquire: { mode: "get", pages: { arg: 3, form: "array" }, count: 1, flags: 2, returns: "count" },
  },
  {
    name: "get_user_pages_longterm", about: "the old long-term GUP call", selects: true,
    era: { removed: "5.2", replacement: "pin_user_pages", approximate: true },
    acquire: { mode: "get", pages: { arg: 3, form: "array" }, count: 1, flags: 2, returns: "count" },
  },
  {
    name: "get_user_page_vma_remote", about: "takes a reference on one page of another mm and finds its VMA", selects: true, era: { since: "6.5" },
    acquire: { mode: "get", pages: { returned: "page" }, flags: 2, returns: "page-or-err" },
  },
  {
    name: "pin_user_pages", counterpart: "get_user_pages", about: "pins (FOLL_PIN) the pages of current->mm; needs the mmap lock", selects: true, era: { since: "5.6" },
    signatures: [{ arity: 5, parameter: "vmas", removed: "6.5", replacement: "vma_lookup" }],
    acquire: { mode: "pin", pages: { arg: { 4: 3, 5: 3 }, form: "array" }, count: 1, flags: 2, returns: "count" },
  },
  {
    name: "pin_user_pages_fast", counterpart: "get_user_pages_fast", about: "pins without the mmap lock, falling back to the slow path", selects: true, era: { since: "5.6" },
    acquire: { mode: "pin", pages: { arg: 3, form: "array" }, count: 1, flags: 2, returns: "count" },
  },
  {
    name: "pin_user_pages_fast_only", counterpart: "get_user_pages_fast_only", about: "pins from the lockless walk only", selects: true, era: { since: "5.8", removed: "6.3", replacement: "pin_user_pages_fast" },
    acquire: { mode: "pin", pages: { arg: 3, form: "array" }, count: 1, flags: 2, returns: "count", atomicSafe: true },
  },
  {
    name: "pin_user_pages_remote", counterpart: "get_user_pages_remote", about: "pins the pages of another mm; needs its mmap lock", selects: true, era: { since: "5.6" },
    signatures: [{ arity: 7, parameter: "vmas", removed: "6.5", replacement: "vma_lookup" }, { arity: 8, parameter: "tsk", removed: "5.9", replacement: "pin_user_pages_remote", approximate: true }],
    acquire: { mode: "pin", pages: { arg: REMOTE_PAGES, form: "array" }, count: REMOTE_COUNT, flags: REMOTE_FLAGS, returns: "count", implies: ["FOLL_TOUCH", "FOLL_REMOTE"] },
  },
  {
    name: "pin_user_pages_unlocked", counterpart: "get_user_pages_unlocked", about: "pins, taking and dropping the mmap lock itself", selects: true, era: { since: "5.8" },
    acquire: { mode: "pin", pages: { arg: 2, form: "array" }, count: 1, flags: 3, returns: "count" },
  },
  {
    name: "pin_user_pages_locked", counterpart: "get_user_pages_locked", about: "pins with a locked pointer", selects: true,
    era: { since: "5.8", removed: "5.18", replacement: "pin_user_pages_remote", approximate: true },
    acquire: { mode: "pin", pages: { arg: 3, form: "array" }, count: 1, flags: 2, returns: "count" },
  },
  {
    name: "iov_iter_get_pages", about: "takes references on an iterator's pages without advancing it", selects: true,
    era: { removed: "6.1", replacement: "iov_iter_extract_pages", approximate: true, arities: [5] },
    acquire: { mode: "get", pages: { arg: 1, form: "array" }, count: 3, iter: 0, countIsLimit: true, returns: "bytes" },
  },
  {
    name: "iov_iter_get_pages_alloc", about: "takes references on an iterator's pages into an array it allocates", selects: true,
    era: { removed: "6.1", replacement: "iov_iter_extract_pages", approximate: true, arities: [4] },
    acquire: { mode: "get", pages: { arg: 1, form: "array-ref" }, iter: 0, returns: "bytes" },
  },
  {
    name: "iov_iter_get_pages2", counterpart: "iov_iter_extract_pages", about: "takes references on an iterator's pages and advances it", selects: true, era: { since: "6.0", approximate: true },
    acquire: { mode: "get", pages: { arg: 1, form: "array" }, count: 3, iter: 0, countIsLimit: true, returns: "bytes" },
  },
  {
    name: "iov_iter_get_pages_alloc2", counterpart: "iov_iter_extract_pages", about: "takes references on an iterator's pages into an array it allocates, and advances it", selects: true, era: { since: "6.0", approximate: true },
    acquire: { mode: "get", pages: { arg: 1, form: "array-ref" }, iter: 0, returns: "bytes" },
  },
  {
    name: "iov_iter_extract_pages", about: "pins the pages of a user-backed iterator, takes nothing for a kernel-backed one", selects: true, era: { since: "6.3", approximate: true },
    acquire: { mode: "extract", pages: { arg: 1, form: "array-ref" }, count: 3, iter: 0, countIsLimit: true, returns: "bytes" },
  },
  {
    name: "memfd_pin_folios", about: "pins the folios of a memfd (in effect long-term)", selects: true, era: { since: "6.11" },
    acquire: { mode: "pin-folio", pages: { arg: 3, form: "array" }, count: 4, countIsLimit: true, returns: "count" },
  },
  {
    name: "get_vaddr_frames", about: "pins (since 5.8) the frames of a user range into a frame vector", selects: true,
    acquire: { mode: "frame-vector", pages: { arg: 3, form: "frame-vector" }, count: 1, writeArg: 2, returns: "count", implies: ["FOLL_LONGTERM"] },
  },
  {
    name: "io_pin_pages", about: "io_uring's helper: pins a user range into an array it allocates", era: { since: "5.19", approximate: true },
    acquire: { mode: "pin", pages: { returned: "array" }, countOut: 2, returns: "array-or-err", implies: ["FOLL_WRITE", "FOLL_LONGTERM"] },
  },
];

const RELEASERS: ApiRow[] = [
  { name: "put_page", about: "drops a reference", release: { kind: "put", target: 0, shape: "page" } },
  { name: "folio_put", about: "drops a folio reference", release: { kind: "put", target: 0, shape: "folio" } },
  { name: "page_cache_release", about: "the old name of put_page()", era: { removed: "4.6", replacement: "put_page", approximate: true }, release: { kind: "put", target: 0, shape: "page" } },
  { name: "release_pages", about: "drops one reference on each page of an array", release: { kind: "put", target: 0, shape: "array", count: 1 } },
  { name: "folios_put", about: "drops one reference on each folio of a batch", release: { kind: "put", target: 0, shape: "folio-array" } },
  {
    name: "put_user_page", about: "released a FOLL_PIN page before the unpin_ names", selects: true,
    era: { since: "5.2", removed: "5.6", replacement: "unpin_user_page" }, release: { kind: "put-user-page", target: 0, shape: "page" },
  },
  {
    name: "put_user_pages", about: "released an array of FOLL_PIN pages before the unpin_ names", selects: true,
    era: { since: "5.2", removed: "5.6", replacement: "unpin_user_pages" }, release: { kind: "put-user-page", target: 0, shape: "array", count: 1 },
  },
  {
    name: "put_user_pages_dirty", about: "dirtied and released FOLL_PIN pages before the unpin_ names", selects: true,
    era: { since: "5.2", removed: "5.4", replacement: "unpin_user_pages_dirty_lock", approximate: true },
    release: { kind: "put-user-page", target: 0, shape: "array", count: 1, dirty: "always" },
  },
  {
    name: "put_user_pages_dirty_lock", about: "dirtied (under the page lock) and released FOLL_PIN pages before the unpin_ names", selects: true,
    era: { since: "5.2", removed: "5.6", replacement: "unpin_user_pages_dirty_lock" },
    release: { kind: "put-user-page", target: 0, shape: "array", count: 1, dirty: 2 }, sleeps: { unlessArgFalse: 2 },
  },
  { name: "unpin_user_page", about: "drops one pin", selects: true, era: { since: "5.6" }, release: { kind: "unpin", target: 0, shape: "page" } },
  {
    name: "unpin_user_pages", about: "drops the pins of an array of pages, a folio at a time", selects: true, era: { since: "5.6" },
    release: { kind: "unpin", target: 0, shape: "array", count: 1, skipsNullEntriesSince: "6.9" },
  },
  {
    name: "unpin_user_pages_dirty_lock", about: "dirties (under the folio lock) and unpins an array of pages", selects: true, era: { since: "5.6" },
    release: { kind: "unpin", target: 0, shape: "array", count: 1, dirty: 2, skipsNullEntriesSince: "6.9" }, sleeps: { unlessArgFalse: 2 },
  },
  {
    name: "unpin_user_page_range_dirty_lock", about: "dirties and unpins a physically contiguous range of pages", selects: true, era: { since: "5.12", approximate: true },
    release: { kind: "unpin", target: 0, shape: "range", count: 1, dirty: 2 }, sleeps: { unlessArgFalse: 2 },
  },
  { name: "unpin_user_folio", about: "drops a number of pins on one folio", selects: true, era: { since: "6.13", approximate: true }, release: { kind: "unpin-folio", target: 0, shape: "folio", count: 1 } },
  { name: "unpin_folio", about: "drops one pin on a folio", selects: true, era: { since: "6.11" }, release: { kind: "unpin-folio", target: 0, shape: "folio" } },
  { name: "unpin_folios", about: "drops one pin on each folio of an array", selects: true, era: { since: "6.11" }, release: { kind: "unpin-folio", target: 0, shape: "folio-array", count: 1 } },
  { name: "put_vaddr_frames", about: "releases the pages of a frame vector", selects: true, release: { kind: "frame-vector", target: 0, shape: "container" } },
  { name: "frame_vector_destroy", about: "frees a frame vector", selects: true, freesContainer: { arg: 0 } },
  { name: "frame_vector_create", about: "allocates a frame vector", selects: true, alloc: { yields: "array" } },
  {
    name: "bio_release_pages", about: "releases a bio's pages the way they were taken (BIO_PAGE_PINNED)",
    release: { kind: "matching", target: 0, shape: "container", dirty: 1 }, sleeps: { unlessArgFalse: 1 },
  },
];

const QUERIES: ApiRow[] = [
  { name: "page_maybe_dma_pinned", about: "a heuristic: may this page be pinned?", selects: true, era: { since: "5.7", removed: "6.11", replacement: "folio_maybe_dma_pinned" }, guard: { kind: "pinned-query", arg: 0 } },
  { name: "folio_maybe_dma_pinned", about: "a heuristic: may this folio be pinned?", selects: true, era: { since: "5.18", approximate: true }, guard: { kind: "pinned-query", arg: 0 } },
  { name: "iov_iter_extract_will_pin", about: "tells whether iov_iter_extract_pages() pins this iterator's pages", era: { since: "6.3", approximate: true }, guard: { kind: "will-pin", arg: 0 } },
  { name: "user_backed_iter", about: "the iterator is over user memory", guard: { kind: "user-backed", arg: 0 } },
  { name: "iter_is_ubuf", about: "the iterator is a user buffer", guard: { kind: "user-backed", arg: 0 } },
  { name: "iter_is_iovec", about: "the iterator is a user iovec", guard: { kind: "user-backed", arg: 0 } },
  { name: "iov_iter_is_kvec", about: "the iterator is over kernel memory", guard: { kind: "kernel-backed", arg: 0 } },
  { name: "iov_iter_is_bvec", about: "the iterator is over pages the caller holds", guard: { kind: "kernel-backed", arg: 0 } },
  { name: "PageHighMem", about: "the page is in highmem", guard: { kind: "highmem", arg: 0 } },
  { name: "folio_test_highmem", about: "the folio is in highmem", guard: { kind: "highmem", arg: 0 } },
  { name: "ERR_PTR", about: "an error pointer", errorValue: true },
  { name: "ERR_CAST", about: "an error pointer of another type", errorValue: true },
  { name: "PTR_ERR", about: "the error in an error pointer", errorValue: true },
  { name: "IS_ERR", about: "the pointer is an error value", guard: { kind: "error-pointer", arg: 0 } },
  { name: "IS_ERR_VALUE", about: "the number is a negative errno", guard: { kind: "error-value", arg: 0 } },
  { name: "IS_ERR_OR_NULL", about: "the pointer is an error value or NULL", guard: { kind: "error-or-null", arg: 0 } },
  { name: "op_is_write", about: "the request writes to the device (memory is read)", guard: { kind: "request-writes", arg: 0 } },
  { name: "bio_data_dir", about: "a bio's data direction (READ or WRITE)", dataDirection: 0 },
  { name: "rq_data_dir", about: "a request's data direction (READ or WRITE)", dataDirection: 0 },
];

// Which page a value is, through a call.
const DERIVERS: ApiRow[] = [
  { name: "compound_head", about: "the head page of a compound page", derive: { arg: 0, relation: "head", yields: "page" } },
  { name: "virt_to_head_page", about: "the head page of a kernel address", derive: { arg: 0, relation: "head", yields: "page" } },
  { name: "page_folio", about: "the folio a page belongs to", derive: { arg: 0, relation: "folio", yields: "folio" } },
  { name: "folio_page", about: "the nth page of a folio", derive: { arg: 0, relation: "nth", yields: "page" } },
  { name: "nth_page", about: "the page n pages further", derive: { arg: 0, relation: "nth", yields: "page" } },
  { name: "page_to_pfn", about: "the page frame number of a page", derive: { arg: 0, relation: "same", yields: "pfn" } },
  { name: "pfn_to_page", about: "the page of a page frame number", derive: { arg: 0, relation: "same", yields: "page" } },
  { name: "page_to_phys", about: "the physical address of a page", derive: { arg: 0, relation: "same", yields: "phys" } },
  { name: "phys_to_page", about: "the page of a physical address", derive: { arg: 0, relation: "same", yields: "page" } },
  { name: "virt_to_page", about: "the page behind a kernel address", derive: { arg: 0, relation: "same", yields: "page" } },
  { name: "folio_pfn", about: "the first page frame number of a folio", derive: { arg: 0, relation: "same", yields: "pfn" } },
  { name: "sg_page", about: "the page of a scatterlist entry", derive: { arg: 0, relation: "element", yields: "page" } },
];

const MAPPERS: ApiRow[] = [
  { name: "page_address", about: "the direct-map address of a lowmem page (NULL for an unmapped highmem page)", map: { arg: 0, highmemSafe: false } },
  { name: "lowmem_page_address", about: "the direct-map address of a lowmem page", map: { arg: 0, highmemSafe: false }, sameAs: "page_address" },
  { name: "page_to_virt", about: "the direct-map address of a page (wrong for highmem)", map: { arg: 0, highmemSafe: false }, sameAs: "page_address" },
  { name: "folio_address", about: "the direct-map address of a lowmem folio", map: { arg: 0, highmemSafe: false } },
  { name: "__va", about: "the direct-map address of a physical address", map: { arg: 0, highmemSafe: false } },
  { name: "phys_to_virt", about: "the direct-map address of a physical address", map: { arg: 0, highmemSafe: false } },
  { name: "pfn_to_kaddr", about: "the direct-map address of a page frame", map: { arg: 0, highmemSafe: false } },
  { name: "bvec_virt", about: "the direct-map address of a bio_vec's data", map: { arg: 0, highmemSafe: false } },
  { name: "sg_virt", about: "the direct-map address of a scatterlist entry's data", map: { arg: 0, highmemSafe: false } },
  { name: "kmap_local_page", about: "maps a page for this thread, highmem included", map: { arg: 0, highmemSafe: true }, era: { since: "5.11" } },
  { name: "kmap_local_folio", about: "maps part of a folio for this thread", map: { arg: 0, highmemSafe: true }, era: { since: "5.14", approximate: true } },
  { name: "kmap", about: "maps a page, highmem included (may sleep)", map: { arg: 0, highmemSafe: true }, sleeps: "always" },
  { name: "kmap_atomic", about: "maps a page with preemption and page faults disabled", map: { arg: 0, highmemSafe: true }, lock: { op: "acquire", atomic: true, what: "a kmap_atomic() mapping" } },
  { name: "kunmap_atomic", about: "ends a kmap_atomic() mapping", lock: { op: "release", atomic: true, what: "a kmap_atomic() mapping" } },
  { name: "vmap", about: "maps an array of pages into one virtual range", map: { arg: 0, highmemSafe: true, array: true } },
  { name: "vm_map_ram", about: "maps an array of pages into one virtual range", map: { arg: 0, highmemSafe: true, array: true } },
];

// Where page data goes: the CPU writing or reading it, or a device.
const SINKS: ApiRow[] = [
  { name: "sg_set_page", about: "puts a page in a scatterlist entry", sinks: [{ arg: 1, what: "page", access: "device", stores: true }] },
  { name: "sg_alloc_table_from_pages", about: "builds a scatterlist over an array of pages", sinks: [{ arg: 1, what: "array", access: "device", stores: true, storesOnSuccess: true }], sleeps: { gfpArg: 5 } },
  { name: "sg_alloc_table_from_pages_segment", about: "builds a scatterlist over an array of pages", sinks: [{ arg: 1, what: "array", access: "device", stores: true, storesOnSuccess: true }], sleeps: { gfpArg: 6 } },
  { name: "__sg_alloc_table_from_pages", about: "builds a scatterlist over an array of pages", sinks: [{ arg: 1, what: "array", access: "device", stores: true }] },
  { name: "sg_alloc_append_table_from_pages", about: "appends an array of pages to a scatterlist", sinks: [{ arg: 1, what: "array", access: "device", stores: true }] },
  { name: "dma_map_page", about: "maps a page for DMA", sinks: [{ arg: 1, what: "page", access: "device", dirArg: 4 }] },
  { name: "dma_map_page_attrs", about: "maps a page for DMA", sinks: [{ arg: 1, what: "page", access: "device", dirArg: 4 }] },
  { name: "ib_dma_map_page", about: "maps a page for RDMA", sinks: [{ arg: 1, what: "page", access: "device", dirArg: 4 }] },
  { name: "dma_map_sg", about: "maps a scatterlist for DMA", sinks: [{ arg: 1, what: "sg", access: "device", dirArg: 3 }] },
  { name: "dma_map_sg_attrs", about: "maps a scatterlist for DMA", sinks: [{ arg: 1, what: "sg", access: "device", dirArg: 3 }] },
  { name: "ib_dma_map_sg", about: "maps a scatterlist for RDMA", sinks: [{ arg: 1, what: "sg", access: "device", dirArg: 3 }] },
  { name: "dma_map_sgtable", about: "maps an sg table for DMA", sinks: [{ arg: 1, what: "sg", access: "device", dirArg: 2 }] },
  { name: "ib_dma_map_sgtable_attrs", about: "maps an sg table for RDMA", sinks: [{ arg: 1, what: "sg", access: "device", dirArg: 2 }] },
  { name: "bio_add_page", about: "adds a page to a bio for I/O", sinks: [{ arg: 1, what: "page", access: "device", stores: true }] },
  { name: "__bio_add_page", about: "adds a page to a bio for I/O", sinks: [{ arg: 1, what: "page", access: "device", stores: true }] },
  { name: "bio_add_pc_page", about: "adds a page to a passthrough bio", sinks: [{ arg: 2, what: "page", access: "device", stores: true }], era: { removed: "6.9", approximate: true } },
  { name: "bio_add_hw_page", about: "adds a page to a bio within hardware limits", sinks: [{ arg: 2, what: "page", access: "device", stores: true }] },
  { name: "bio_add_folio", about: "adds a folio to a bio", sinks: [{ arg: 1, what: "page", access: "device", stores: true }] },
  { name: "bio_integrity_add_page", about: "adds a page to a bio's integrity payload", sinks: [{ arg: 1, what: "page", access: "device", stores: true }] },
  { name: "bvec_set_page", about: "fills a bio_vec with a page", sinks: [{ arg: 1, what: "page", access: "device", stores: true }] },
  { name: "skb_fill_page_desc", about: "puts a page in an skb fragment", sinks: [{ arg: 2, what: "page", access: "device", stores: true }] },
  { name: "__skb_fill_page_desc", about: "puts a page in an skb fragment", sinks: [{ arg: 2, what: "page", access: "device", stores: true }] },
  { name: "skb_frag_fill_page_desc", about: "puts a page in an skb fragment", sinks: [{ arg: 1, what: "page", access: "device", stores: true }] },
  { name: "xen_page_to_gfn", about: "hands a page's frame to the Xen hypervisor", sinks: [{ arg: 0, what: "page", access: "hypervisor" }] },
  { name: "__sme_page_pa", about: "hands a page's encrypted physical address to the SEV firmware", sinks: [{ arg: 0, what: "page", access: "hypervisor" }] },
  { name: "memcpy", about: "copies memory", sinks: [{ arg: 0, what: "vaddr", access: "cpu-write" }, { arg: 1, what: "vaddr", access: "cpu-read" }] },
  { name: "memmove", about: "copies memory", sinks: [{ arg: 0, what: "vaddr", access: "cpu-write" }, { arg: 1, what: "vaddr", access: "cpu-read" }] },
  { name: "memset", about: "fills memory", sinks: [{ arg: 0, what: "vaddr", access: "cpu-write" }] },
  { name: "memzero_explicit", about: "clears memory", sinks: [{ arg: 0, what: "vaddr", access: "cpu-write" }] },
  { name: "clear_page", about: "clears a page through its address", sinks: [{ arg: 0, what: "vaddr", access: "cpu-write" }] },
  { name: "copy_page", about: "copies a page through addresses", sinks: [{ arg: 0, what: "vaddr", access: "cpu-write" }, { arg: 1, what: "vaddr", access: "cpu-read" }] },
  { name: "copy_from_user", about: "copies from user space", sinks: [{ arg: 0, what: "vaddr", access: "cpu-write" }], sleeps: "always" },
  { name: "__copy_from_user", about: "copies from user space", sinks: [{ arg: 0, what: "vaddr", access: "cpu-write" }], sleeps: "always" },
  { name: "copy_to_user", about: "copies to user space", sinks: [{ arg: 1, what: "vaddr", access: "cpu-read" }], sleeps: "always" },
  { name: "__copy_to_user", about: "copies to user space", sinks: [{ arg: 1, what: "vaddr", access: "cpu-read" }], sleeps: "always" },
  { name: "copy_from_iter", about: "copies from an iterator", sinks: [{ arg: 0, what: "vaddr", access: "cpu-write" }] },
  { name: "copy_from_iter_full", about: "copies from an iterator", sinks: [{ arg: 0, what: "vaddr", access: "cpu-write" }] },
  { name: "copy_to_iter", about: "copies into an iterator", sinks: [{ arg: 0, what: "vaddr", access: "cpu-read" }] },
  { name: "memcpy_to_page", about: "copies into a page (mapping it)", sinks: [{ arg: 0, what: "page", access: "cpu-write" }] },
  { name: "memcpy_from_page", about: "copies out of a page (mapping it)", sinks: [{ arg: 1, what: "page", access: "cpu-read" }] },
  { name: "memzero_page", about: "clears part of a page (mapping it)", sinks: [{ arg: 0, what: "page", access: "cpu-write" }] },
  { name: "zero_user", about: "clears part of a page (mapping it)", sinks: [{ arg: 0, what: "page", access: "cpu-write" }] },
  { name: "copy_page_to_iter", about: "copies a page's data into an iterator", sinks: [{ arg: 0, what: "page", access: "cpu-read" }] },
  { name: "copy_page_from_iter", about: "copies an iterator's data into a page", sinks: [{ arg: 0, what: "page", access: "cpu-write" }] },
  { name: "copy_page_from_iter_atomic", about: "copies an iterator's data into a page", sinks: [{ arg: 0, what: "page", access: "cpu-write" }] },
];

const DIRTYING: ApiRow[] = [
  { name: "set_page_dirty", about: "marks a page dirty; the caller must hold the page lock", dirty: { arg: 0, locked: false } },
  { name: "set_page_dirty_lock", about: "locks a page, marks it dirty and unlocks it (may sleep)", dirty: { arg: 0, locked: true }, sleeps: "always" },
  { name: "folio_mark_dirty", about: "marks a folio dirty; the caller must hold the folio lock", dirty: { arg: 0, locked: false, folio: true } },
  { name: "folio_mark_dirty_lock", about: "locks a folio, marks it dirty and unlocks it (may sleep)", dirty: { arg: 0, locked: true, folio: true }, sleeps: "always", era: { since: "6.12", approximate: true } },
  { name: "SetPageDirty", about: "sets the dirty bit without the mapping's bookkeeping", dirty: { arg: 0, locked: false } },
];

const LOCKS: ApiRow[] = [];
function atomicPair(open: string[], close: string[], what: string): void {
  for (const name of open) LOCKS.push({ name, about: `enters ${what}`, lock: { op: "acquire", atomic: true, what } });
  for (const name of close) LOCKS.push({ name, about: `leaves ${what}`, lock: { op: "release", atomic: true, what } });
}
atomicPair(["spin_lock", "spin_lock_irq", "spin_lock_irqsave", "spin_lock_bh", "spin_lock_nested", "raw_spin_lock", "raw_spin_lock_irq", "raw_spin_lock_irqsave"],
  ["spin_unlock", "spin_unlock_irq", "spin_unlock_irqrestore", "spin_unlock_bh", "raw_spin_unlock", "raw_spin_unlock_irq", "raw_spin_unlock_irqrestore"], "a spinlock");
atomicPair(["read_lock", "read_lock_irq", "read_lock_irqsave", "read_lock_bh", "write_lock", "write_lock_irq", "write_lock_irqsave", "write_lock_bh"],
  ["read_unlock", "read_unlock_irq", "read_unlock_irqrestore", "read_unlock_bh", "write_unlock", "write_unlock_irq", "write_unlock_irqrestore", "write_unlock_bh"], "an rwlock");
atomicPair(["xa_lock", "xa_lock_irq", "xa_lock_irqsave", "xa_lock_bh"], ["xa_unlock", "xa_unlock_irq", "xa_unlock_irqrestore", "xa_unlock_bh"], "the xarray lock");
atomicPair(["rcu_read_lock", "rcu_read_lock_bh", "rcu_read_lock_sched"], ["rcu_read_unlock", "rcu_read_unlock_bh", "rcu_read_unlock_sched"], "an RCU read-side section");
atomicPair(["local_irq_disable", "local_irq_save"], ["local_irq_enable", "local_irq_restore"], "interrupts disabled");
atomicPair(["local_bh_disable"], ["local_bh_enable"], "bottom halves disabled");
atomicPair(["preempt_disable"], ["preempt_enable", "preempt_enable_no_resched"], "preemption disabled");
LOCKS.push(
  { name: "spin_trylock", about: "takes a spinlock if it is free", lock: { op: "acquire", atomic: true, what: "a spinlock", trylock: true } },
  { name: "spin_trylock_irqsave", about: "takes a spinlock if it is free", lock: { op: "acquire", atomic: true, what: "a spinlock", trylock: true } },
);
for (const [name, what] of [["mutex_lock", "a mutex"], ["mutex_lock_interruptible", "a mutex"], ["mutex_lock_killable", "a mutex"], ["down_read", "an rwsem"], ["down_write", "an rwsem"],
  ["down_read_killable", "an rwsem"], ["down_write_killable", "an rwsem"], ["mmap_read_lock", "the mmap lock"], ["mmap_write_lock", "the mmap lock"], ["mmap_read_lock_killable", "the mmap lock"],
  ["lock_page", "the page lock"], ["folio_lock", "the folio lock"]] as const) {
  LOCKS.push({ name, about: `takes ${what} (may sleep)`, lock: { op: "acquire", atomic: false, what }, sleeps: "always" });
}
for (const [name, what] of [["mutex_unlock", "a mutex"], ["up_read", "an rwsem"], ["up_write", "an rwsem"], ["mmap_read_unlock", "the mmap lock"], ["mmap_write_unlock", "the mmap lock"],
  ["unlock_page", "the page lock"], ["folio_unlock", "the folio lock"]] as const) {
  LOCKS.push({ name, about: `releases ${what}`, lock: { op: "release", atomic: false, what } });
}

const SLEEPERS: ApiRow[] = [
  ...["msleep", "msleep_interruptible", "ssleep", "usleep_range", "schedule", "schedule_timeout", "wait_for_completion", "wait_for_completion_interruptible",
    "wait_for_completion_killable", "flush_work", "flush_workqueue", "synchronize_rcu", "might_sleep", "cond_resched", "vmalloc", "vzalloc", "folio_wait_writeback", "wait_on_page_writeback"]
    .map((name): ApiRow => ({ name, about: "may sleep", sleeps: "always" })),
  { name: "kmalloc", about: "allocates kernel memory", alloc: { yields: "array", gfp: 1 }, sleeps: { gfpArg: 1 } },
  { name: "kzalloc", about: "allocates zeroed kernel memory", alloc: { yields: "array", gfp: 1 }, sleeps: { gfpArg: 1 } },
  { name: "kcalloc", about: "allocates a zeroed kernel array", alloc: { yields: "array", gfp: 2 }, sleeps: { gfpArg: 2 } },
  { name: "kmalloc_array", about: "allocates a kernel array", alloc: { yields: "array", gfp: 2 }, sleeps: { gfpArg: 2 } },
  { name: "kvmalloc", about: "allocates kernel memory", alloc: { yields: "array", gfp: 1 }, sleeps: { gfpArg: 1 } },
  { name: "kvzalloc", about: "allocates zeroed kernel memory", alloc: { yields: "array", gfp: 1 }, sleeps: { gfpArg: 1 } },
  { name: "kvmalloc_array", about: "allocates a kernel array", alloc: { yields: "array", gfp: 2 }, sleeps: { gfpArg: 2 } },
  { name: "kvcalloc", about: "allocates a zeroed kernel array", alloc: { yields: "array", gfp: 2 }, sleeps: { gfpArg: 2 } },
  { name: "__get_free_page", about: "allocates a kernel page", alloc: { yields: "array", gfp: 0 }, sleeps: { gfpArg: 0 } },
  { name: "__get_free_pages", about: "allocates kernel pages", alloc: { yields: "array", gfp: 0 }, sleeps: { gfpArg: 0 } },
  { name: "get_zeroed_page", about: "allocates a zeroed kernel page", alloc: { yields: "array", gfp: 0 }, sleeps: { gfpArg: 0 } },
  { name: "alloc_page", about: "allocates a kernel page", alloc: { yields: "pages", gfp: 0 }, sleeps: { gfpArg: 0 } },
  { name: "alloc_pages", about: "allocates kernel pages", alloc: { yields: "pages", gfp: 0 }, sleeps: { gfpArg: 0 } },
  { name: "alloc_pages_node", about: "allocates kernel pages", alloc: { yields: "pages", gfp: 1 }, sleeps: { gfpArg: 1 } },
  { name: "dev_alloc_pages", about: "allocates kernel pages for a device", alloc: { yields: "pages" } },
  { name: "folio_alloc", about: "allocates a kernel folio", alloc: { yields: "pages", gfp: 0 }, sleeps: { gfpArg: 0 } },
  { name: "vmalloc_to_page", about: "the page behind a vmalloc address (kernel memory)", alloc: { yields: "pages" } },
  { name: "find_get_page", about: "a page-cache page with a reference (not user memory)", alloc: { yields: "pages" } },
  { name: "find_lock_page", about: "a locked page-cache page (not user memory)", alloc: { yields: "pages" } },
  { name: "filemap_get_folio", about: "a page-cache folio (not user memory)", alloc: { yields: "pages" } },
  { name: "read_mapping_page", about: "a page-cache page (not user memory)", alloc: { yields: "pages" } },
  { name: "kfree", about: "frees kernel memory", freesContainer: { arg: 0 } },
  { name: "kvfree", about: "frees kernel memory", freesContainer: { arg: 0 } },
  { name: "vfree", about: "frees vmalloc memory", freesContainer: { arg: 0 } },
  { name: "free_page", about: "frees a kernel page", freesContainer: { arg: 0 } },
  { name: "free_pages", about: "frees kernel pages", freesContainer: { arg: 0 } },
  { name: "BUG", about: "stops the kernel", noreturn: true },
  { name: "BUG_ON", about: "stops the kernel when its condition holds", abortsIf: 0 },
  { name: "likely", about: "a branch-prediction hint", passesValue: 0 },
  { name: "unlikely", about: "a branch-prediction hint", passesValue: 0 },
  { name: "WARN_ON", about: "warns when its condition holds, and returns it", passesValue: 0, warns: true },
  { name: "WARN_ON_ONCE", about: "warns once when its condition holds, and returns it", passesValue: 0, warns: true },
  { name: "WARN", about: "warns with a message when its condition holds, and returns it", passesValue: 0, warns: true },
  { name: "WARN_ONCE", about: "warns once with a message when its condition holds, and returns it", passesValue: 0, warns: true },
  { name: "get_page", about: "takes one more reference on a page", addsRef: 0 },
  { name: "folio_get", about: "takes one more reference on a folio", addsRef: 0 },
  { name: "try_get_page", about: "takes one more reference on a page unless it overflows", addsRef: 0 },
  { name: "panic", about: "stops the kernel", noreturn: true },
];

const CALLBACKS: ApiRow[] = [
  { name: "call_rcu", about: "runs a function after a grace period", callback: { fnArg: 1, context: "an RCU callback (softirq context)" } },
  { name: "call_rcu_hurry", about: "runs a function after a grace period", callback: { fnArg: 1, context: "an RCU callback (softirq context)" } },
  { name: "tasklet_init", about: "sets up a tasklet", callback: { fnArg: 1, context: "a tasklet (softirq context)" } },
  { name: "tasklet_setup", about: "sets up a tasklet", callback: { fnArg: 1, context: "a tasklet (softirq context)" } },
  { name: "timer_setup", about: "sets up a timer", callback: { fnArg: 1, context: "a timer callback (softirq context)" } },
  { name: "request_irq", about: "installs an interrupt handler", callback: { fnArg: 1, context: "an interrupt handler" } },
  { name: "devm_request_irq", about: "installs an interrupt handler", callback: { fnArg: 2, context: "an interrupt handler" } },
  { name: "dma_fence_add_callback", about: "runs a function when a fence signals", callback: { fnArg: 2, context: "a dma-fence callback (may be interrupt context)" } },
  // A struct field: assigning a function to it registers the function.
  { name: "bi_end_io", about: "a bio's completion callback", callback: { fnArg: 0, context: "a bio completion handler (may run in interrupt context)" } },
];

// Kernel functions whose bodies run where sleeping is not allowed: a patch
// that adds code to one of them must not add anything that sleeps.
const ATOMIC_CONTEXTS: ApiRow[] = [
  { name: "bio_endio", about: "ends a bio's I/O", atomicContext: "bio completion, which can run in interrupt context" },
  { name: "bio_integrity_endio", about: "ends a bio's integrity payload", atomicContext: "bio completion (bio_endio()), which can run in interrupt context" },
  { name: "bio_integrity_free", about: "frees a bio's integrity payload", atomicContext: "bio completion (bio_endio() calls it through bio_integrity_endio()), which can run in interrupt context" },
];

const ITERATORS: ApiRow[] = [
  { name: "iov_iter_ubuf", about: "an iterator over one user buffer", iterInit: { iter: 0, dirArg: 1, backing: "user" } },
  { name: "iov_iter_init", about: "an iterator over user iovecs", iterInit: { iter: 0, dirArg: 1, backing: "user" } },
  { name: "import_ubuf", about: "an iterator over one user buffer", iterInit: { iter: 3, dirArg: 0, backing: "user" } },
  { name: "iov_iter_bvec", about: "an iterator over pages the caller holds", iterInit: { iter: 0, dirArg: 1, backing: "kernel" } },
  { name: "iov_iter_kvec", about: "an iterator over kernel memory", iterInit: { iter: 0, dirArg: 1, backing: "kernel" } },
  { name: "ITER_SOURCE", about: "the iterator is a data source: its memory is read", direction: { memory: "read" } },
  { name: "ITER_DEST", about: "the iterator is a data destination: its memory is written", direction: { memory: "written" } },
  { name: "WRITE", about: "the memory is the source of a write to a device: it is read", direction: { memory: "read" } },
  { name: "READ", about: "the memory is the destination of a read from a device: it is written", direction: { memory: "written" } },
  { name: "DMA_TO_DEVICE", about: "the device reads the memory", direction: { memory: "read" } },
  { name: "DMA_FROM_DEVICE", about: "the device writes the memory", direction: { memory: "written" } },
  { name: "DMA_BIDIRECTIONAL", about: "the device reads and writes the memory", direction: { memory: "both" } },
];

const CASE3_AND_4: ApiRow[] = [
  { name: "vma_is_fsdax", about: "the VMA is a filesystem-DAX mapping", fileBackedCheck: true },
  { name: "vma_is_dax", about: "the VMA is a DAX mapping", fileBackedCheck: true },
  { name: "is_file_hugepages", about: "the file is a hugetlbfs file", fileBackedCheck: true },
  { name: "vma_lookup", about: "finds the VMA at an address", fileBackedCheck: true },
  { name: "find_vma", about: "finds the VMA at or above an address", fileBackedCheck: true },
  { name: "mmu_interval_notifier_insert", about: "tracks a range with an mmu interval notifier", mmuNotifier: true },
  { name: "mmu_notifier_register", about: "registers an mmu notifier", mmuNotifier: true },
  { name: "hmm_range_fault", about: "faults a range in for HMM, without pinning", mmuNotifier: true },
  { name: "mmu_interval_read_begin", about: "starts a read-side section of an mmu interval notifier", mmuNotifier: true },
  { name: "mmu_interval_read_retry", about: "ends a read-side section of an mmu interval notifier", mmuNotifier: true },
  ...["page_count", "page_mapcount", "PageAnon", "PageSwapBacked", "page_to_nid", "PageTransHuge", "PageCompound", "PageHuge", "folio_test_anon", "folio_nid", "page_zonenum", "is_zone_device_page"]
    .map((name): ApiRow => ({ name, about: "reads struct page metadata only", structPageQuery: true })),
];

// FOLL_* flags: public ones may be passed; internal ones are set by the
// wrappers and refused at call sites (mm/internal.h and is_valid_gup_args()
// since 6.3; FOLL_PIN was documented as internal from its start in 5.6, but a
// pin wrapper ignored it until 6.3); removed ones no longer build.
const FLAGS: ApiRow[] = [
  { name: "FOLL_WRITE", about: "asks for write access", flag: { bit: 0x01, write: true } },
  { name: "FOLL_GET", about: "takes a reference (set by the get_* wrappers)", selects: true, flag: { bit: 0x02, getOnly: true } },
  { name: "FOLL_DUMP", about: "fails on holes (core dumps)", flag: { bit: 0x04 } },
  { name: "FOLL_FORCE", about: "overrides the VMA's permissions (ptrace)", flag: { bit: 0x08 } },
  { name: "FOLL_NOWAIT", about: "starts I/O but does not wait for it", flag: { bit: 0x10 } },
  { name: "FOLL_NOFAULT", about: "never faults pages in", flag: { bit: 0x20 }, era: { since: "5.16", approximate: true } },
  { name: "FOLL_HWPOISON", about: "reports poisoned pages", flag: { bit: 0x40 } },
  { name: "FOLL_ANON", about: "anonymous memory only", flag: { bit: 0x80 } },
  { name: "FOLL_LONGTERM", about: "keeps the pages for an indefinite time", selects: true, flag: { bit: 0x100, longterm: true, pinOnly: true }, era: { since: "5.2" } },
  { name: "FOLL_SPLIT_PMD", about: "splits a huge PMD first", flag: {}, era: { since: "5.4", approximate: true } },
  { name: "FOLL_PCI_P2PDMA", about: "allows PCI peer-to-peer pages", flag: {}, era: { since: "6.2", approximate: true } },
  { name: "FOLL_INTERRUPTIBLE", about: "aborts on any signal", flag: {}, era: { since: "6.2", approximate: true } },
  { name: "FOLL_HONOR_NUMA_FAULT", about: "triggers NUMA-hinting faults", flag: {}, era: { since: "6.5" } },
  { name: "FOLL_TOUCH", about: "marks pages accessed (set by the get_* wrappers)", selects: true, flag: { internalSince: "6.3" } },
  { name: "FOLL_TRIED", about: "GUP's retry pass", selects: true, flag: { internalSince: "6.3" } },
  { name: "FOLL_REMOTE", about: "another mm (set by the *_remote wrappers)", selects: true, flag: { internalSince: "6.3" } },
  { name: "FOLL_PIN", about: "pins the pages (set only by the pin_* wrappers)", selects: true, flag: { internalSince: "5.6", rejectedSince: "6.3", setBy: ["pin", "pin-folio", "frame-vector"] } },
  { name: "FOLL_FAST_ONLY", about: "no slow-path fallback (set by the *_fast_only wrappers)", selects: true, flag: { internalSince: "6.3" } },
  { name: "FOLL_UNLOCKABLE", about: "GUP may drop the mmap lock (set by GUP)", selects: true, flag: { internalSince: "6.3" }, era: { since: "6.3" } },
  { name: "FOLL_MADV_POPULATE", about: "MADV_POPULATE semantics (set by madvise)", selects: true, flag: { internalSince: "6.9" }, era: { since: "6.9", approximate: true } },
  { name: "FOLL_COW", about: "the old COW-break flag", selects: true, flag: {}, era: { removed: "6.0", approximate: true } },
  { name: "FOLL_NUMA", about: "the old NUMA-fault flag", selects: true, flag: {}, era: { removed: "6.2", replacement: "FOLL_HONOR_NUMA_FAULT", approximate: true } },
  { name: "FOLL_MIGRATION", about: "the old migration-entry flag", selects: true, flag: {}, era: { removed: "6.2", approximate: true } },
  { name: "FOLL_MLOCK", about: "the old mlock flag", selects: true, flag: {}, era: { removed: "5.18", approximate: true } },
  { name: "FOLL_POPULATE", about: "the old populate flag", selects: true, flag: {}, era: { removed: "5.15", approximate: true } },
  { name: "FOLL_SPLIT", about: "the old split flag", selects: true, flag: {}, era: { removed: "5.12", replacement: "FOLL_SPLIT_PMD", approximate: true } },
];

export const API_ROWS: readonly ApiRow[] = [
  ...ACQUIRERS, ...RELEASERS, ...QUERIES, ...DERIVERS, ...MAPPERS, ...SINKS, ...DIRTYING, ...LOCKS, ...SLEEPERS,
  ...CALLBACKS, ...ATOMIC_CONTEXTS, ...ITERATORS, ...CASE3_AND_4, ...FLAGS,
];
