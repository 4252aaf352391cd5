// The shape of the API-effects table (src/api/effects.ts): one row per kernel
// symbol, saying what a call to it does to the pages, locks and context the
// analysis tracks, and in which kernel releases it exists. The engine's
// transfer functions, hunk selection, the rules, the reply wording and
// docs/rules all read rows of this shape; nothing else lists API names.

/** A kernel release, "major.minor" ("5.6"). */
export type KernelVersion = string;

/**
 * An argument position. A plain number holds for every signature; a record
 * maps an argument count to the position for older or newer signatures
 * (get_user_pages() lost its task/mm arguments in 4.6, its vmas in 6.5).
 */
export type ArgPos = number | Readonly<Record<number, number>>;

/** How a caller must release what an acquirer gave it. */
export type AcquireMode =
  /** FOLL_GET references: put_page() / folio_put() / release_pages(). */
  | "get"
  /** FOLL_PIN pins: unpin_user_page*() (put_user_page*() before 5.6). */
  | "pin"
  /** iov_iter_extract_pages(): pins for user-backed iterators, nothing for kernel-backed ones. */
  | "extract"
  /** Folio pins (memfd_pin_folios()): unpin_folio()/unpin_folios(). */
  | "pin-folio"
  /** A frame vector (get_vaddr_frames()): put_vaddr_frames(). */
  | "frame-vector";

/** How a releaser drops what it is given. */
export type ReleaseKind =
  /** Drops a reference (FOLL_GET). */
  | "put"
  /** Drops a pin (FOLL_PIN). */
  | "unpin"
  /** Drops pins on a folio, whichever of its pages was pinned. */
  | "unpin-folio"
  /** put_user_page*(): the pin release of 5.2-5.5, before the unpin_ names. */
  | "put-user-page"
  /** Releases a frame vector. */
  | "frame-vector"
  /** Releases whatever the acquisition took (a bio's own release that checks BIO_PAGE_PINNED). */
  | "matching";

/** What the pages, array or count of an acquisition are. */
export interface AcquireEffect {
  mode: AcquireMode;
  /** Where the pages go: an array argument, a pointer to an array the call allocates, or the return value. */
  pages: { arg: ArgPos; form: "array" | "array-ref" | "page-ref" | "frame-vector" } | { returned: "page" | "array" };
  /** The number of pages asked for (absent: one page, or a byte count the call works out). */
  count?: ArgPos;
  /** The count is only an upper bound (a byte size limits the call too): iov_iter's maxpages, memfd's max_folios. */
  countIsLimit?: boolean;
  /** Where the count of an allocated array is written back (io_pin_pages()). */
  countOut?: ArgPos;
  /** The gup_flags argument. */
  flags?: ArgPos;
  /** A bool argument that means FOLL_WRITE (get_vaddr_frames() since 6.2). */
  writeArg?: ArgPos;
  /** The iov_iter whose direction decides write access and whose kind decides pinning. */
  iter?: ArgPos;
  /**
   * The return convention: a page count (or -errno), a byte count (or
   * -errno), an ERR_PTR/NULL/page, or an array pointer or ERR_PTR.
   */
  returns: "count" | "bytes" | "page-or-err" | "page-or-null" | "array-or-err" | "zero-or-errno";
  /** Flags the wrapper adds itself. */
  implies?: readonly string[];
  /** Never sleeps (the fast-only variants, for atomic context). */
  atomicSafe?: boolean;
}

export interface ReleaseEffect {
  kind: ReleaseKind;
  /** The page, folio, array or frame vector released. */
  target: ArgPos;
  /** "page": one page; "array": count entries; "range": count contiguous pages from target; "folio"; "container": an object that owns its pages. */
  shape: "page" | "array" | "range" | "folio" | "folio-array" | "container";
  count?: ArgPos;
  /** make_dirty argument, or "always" for helpers that always dirty. */
  dirty?: ArgPos | "always";
  /** Skips NULL entries of the array, from this release on. */
  skipsNullEntriesSince?: KernelVersion;
}

/** Gives a kernel virtual address (or mapping) for a page. */
export interface MapEffect {
  arg: ArgPos;
  /** Works for highmem pages (kmap*, vmap) or only for lowmem (page_address()). */
  highmemSafe: boolean;
  /** The argument is an array of pages (vmap). */
  array?: boolean;
}

/** Page identity through a call: same page, or a different one derived from it. */
export interface DeriveEffect {
  arg: ArgPos;
  /**
   * "same": the same page (or its pfn/physical address, or back);
   * "head": the head page of its compound page; "folio": its folio;
   * "nth": another page of the folio; "element": a page taken out of a container (sg, bvec).
   */
  relation: "same" | "head" | "folio" | "nth" | "element";
  /** The value that comes out: a page, a pfn, a physical address, a folio. */
  yields: "page" | "pfn" | "phys" | "folio";
}

/** Data written to or read from pages by the CPU or a device, or pages handed to a longer-lived object. */
export interface SinkEffect {
  arg: ArgPos;
  /** What arg is: a page, an array of pages, a kernel address, a scatterlist/sg table holding pages. */
  what: "page" | "array" | "vaddr" | "sg";
  /** Who touches the data and how. */
  access: "cpu-write" | "cpu-read" | "device" | "hypervisor";
  /** For device access: the DMA direction argument. */
  dirArg?: ArgPos;
  /** The page is stored in an I/O container (bio, sg, skb, bvec) that outlives the call. */
  stores?: boolean;
  /** The call returns 0 or -errno, and stores nothing when it fails (sg_alloc_table_from_pages()). */
  storesOnSuccess?: boolean;
}

export interface DirtyEffect {
  arg: ArgPos;
  /** Takes the page/folio lock itself (set_page_dirty_lock()), or needs the caller to hold it. */
  locked: boolean;
  /** A folio rather than a page. */
  folio?: boolean;
}

/** Enters or leaves a section where sleeping is not allowed (or a sleeping lock). */
export interface LockEffect {
  op: "acquire" | "release";
  /** Spinning locks, RCU read sections, irq/bh/preempt off: atomic. Mutexes and rwsems: not. */
  atomic: boolean;
  /** What the section is, for messages. */
  what: string;
  /** A trylock holds the lock only when it returns nonzero. */
  trylock?: boolean;
}

/** Registers a function that the kernel will call in atomic context. */
export interface CallbackEffect {
  fnArg: ArgPos;
  /** Where the callback runs, for messages. */
  context: string;
}

/** A test that tells something the rules need. */
export interface GuardEffect {
  /** error-value: the number is a negative errno (IS_ERR_VALUE()); highmem: true when the page is in highmem; will-pin: the extract pinned; user-backed: the iterator is user memory; kernel-backed: the opposite; request-writes: the I/O writes to the device (memory is read); error-pointer: IS_ERR(); pinned-query: the heuristic folio_maybe_dma_pinned(). */
  kind: "highmem" | "will-pin" | "user-backed" | "kernel-backed" | "request-writes" | "request-reads" | "error-pointer" | "error-or-null" | "error-value" | "pinned-query";
  arg: ArgPos;
}

/** Kernel memory, not user memory: pages or arrays the kernel allocated. */
export interface AllocEffect {
  /** "pages": page(s) of kernel memory; "array": memory that can hold an array of page pointers. */
  yields: "pages" | "array" | "vaddr";
  /** The gfp argument, when sleeping depends on it. */
  gfp?: ArgPos;
}

/** Builds an iov_iter over memory with a direction argument. */
export interface IterInitEffect {
  iter: ArgPos;
  dirArg: ArgPos;
  /** Over user memory (ubuf, iovec) or kernel memory (bvec, kvec). */
  backing: "user" | "kernel";
}

export interface Era {
  /** First release with the symbol (or with this meaning). */
  since?: KernelVersion;
  /** First release without it. */
  removed?: KernelVersion;
  /** What to use instead, once removed. */
  replacement?: string;
  /** The version figures are recalled from history, not checked against a merge: say "around". */
  approximate?: boolean;
  /** Argument counts the removed symbol took: a call with another count is a later symbol reusing the name. */
  arities?: readonly number[];
}

export type FlagVisibility = "public" | "internal" | "removed";

/** A FOLL_* flag: public, internal to mm/ (never at a call site), or gone. */
export interface FlagEffect {
  /** Bit value, to read numeric flag arguments (1 is FOLL_WRITE). */
  bit?: number;
  /** Visibility by release: internal flags are wrong at call sites from `internalSince` on. */
  internalSince?: KernelVersion;
  /** From this release GUP refuses a call that passes the flag (a WARN, then an error); before it, a wrapper that sets the flag itself just ignores it. Defaults to `internalSince`. */
  rejectedSince?: KernelVersion;
  /** Calls of these modes set the flag themselves (FOLL_PIN for the pin wrappers). */
  setBy?: readonly AcquireMode[];
  /** Only a pin wrapper may set it: passed to a get_* call it is rejected. */
  pinOnly?: boolean;
  /** Only a get_* wrapper may take it: passed to a pin_* call it is rejected. */
  getOnly?: boolean;
  /** The call keeps the pages for an indefinite time. */
  longterm?: boolean;
  /** The caller asks for write access. */
  write?: boolean;
}

/** One symbol of the kernel API and every effect a call to it has. */
export interface ApiRow {
  name: string;
  /** What it is, in a few words (docs and replies). */
  about: string;
  era?: Era;
  /** Names a hunk must mention to be reviewed (the GUP/pin API proper). */
  selects?: boolean;
  /** Rows that can replace each other at a call with the same arguments. */
  sameAs?: string;
  /** The same call in the other mode (get_user_pages_fast <-> pin_user_pages_fast), same arguments. */
  counterpart?: string;
  acquire?: AcquireEffect;
  release?: ReleaseEffect;
  map?: MapEffect;
  derive?: DeriveEffect;
  sinks?: readonly SinkEffect[];
  dirty?: DirtyEffect;
  /** "always", or the make_dirty/gfp argument that decides it, or "never". */
  sleeps?: "always" | { unlessArgFalse: ArgPos } | { gfpArg: ArgPos };
  lock?: LockEffect;
  callback?: CallbackEffect;
  guard?: GuardEffect;
  alloc?: AllocEffect;
  /** Frees memory that held page pointers (the pages themselves are not released). */
  freesContainer?: { arg: ArgPos };
  iterInit?: IterInitEffect;
  flag?: FlagEffect;
  /** A direction constant: what the memory sees. */
  direction?: { memory: "written" | "read" | "both" };
  /** The function runs where sleeping is not allowed (its body, as the patch changes it). */
  atomicContext?: string;
  /** Does not return (BUG(), panic()). */
  noreturn?: boolean;
  /** Stops the kernel when this argument is true (BUG_ON()). */
  abortsIf?: ArgPos;
  /** Evaluates to this argument (likely(), unlikely(), WARN_ON()). */
  passesValue?: ArgPos;
  /** Warns when its argument is true: the code treats that as a can't-happen case. */
  warns?: boolean;
  /** Takes one more reference on a page (get_page()): a put_page() may drop exactly that one. */
  addsRef?: ArgPos;
  /** Builds an error return: ERR_PTR()/ERR_CAST() make an error pointer, PTR_ERR() reads one. */
  errorValue?: boolean;
  /** The data direction of a bio or request: compare it with READ/WRITE. */
  dataDirection?: ArgPos;
  /** Signatures that lost a parameter: with this many arguments the call no longer builds from `removed` on. */
  signatures?: readonly { arity: number; parameter: string; removed: KernelVersion; replacement: string; approximate?: boolean }[];
  /** A caller-side check of the memory type around a long-term pin (fsdax, file-backed VMAs). */
  fileBackedCheck?: boolean;
  /** Tracks pages with an mmu notifier instead of pinning them (Case 3). */
  mmuNotifier?: boolean;
  /** Only reads struct page metadata (Case 4). */
  structPageQuery?: boolean;
}
