import { dirtyThenRelease } from "../../src/rules/dirty-then-release.js";
import { added, diffOf, lineOf, ruleTester } from "../helpers/rule-tester.js";

// A whole function that pins, hands the pages to the device and releases
// them, so the engine sees where the pages came from; `release` is the loop.
function pinUseRelease(release: string[]): string {
  return added("drivers/misc/ubuf.c", [
    "static int ubuf_fill(struct ubuf *ub, unsigned long uaddr, int npages)",
    "{",
    "\tint i, ret;",
    "",
    "\tret = pin_user_pages_fast(uaddr, npages, FOLL_WRITE | FOLL_LONGTERM, ub->pages);",
    "\tif (ret < 0)",
    "\t\treturn ret;",
    "\tif (ret != npages) {",
    "\t\tunpin_user_pages(ub->pages, ret);",
    "\t\treturn -EFAULT;",
    "\t}",
    "\tret = ubuf_dma(ub, npages);",
    ...release,
    "\treturn ret;",
    "}",
  ].join("\n"));
}

const UNLOCKED_DIRTY = pinUseRelease([
  "\tfor (i = 0; i < npages; i++) {",
  "\t\tset_page_dirty(ub->pages[i]);",
  "\t\tunpin_user_page(ub->pages[i]);",
  "\t}",
]);
const OPEN_CODED_LOOP = pinUseRelease([
  "\tfor (i = 0; i < npages; i++) {",
  "\t\tset_page_dirty_lock(ub->pages[i]);",
  "\t\tunpin_user_page(ub->pages[i]);",
  "\t}",
]);

ruleTester(dirtyThenRelease, {
  valid: [
    {
      name: "pages pinned in the same function, released with the dirtying unpin",
      diff: pinUseRelease(["\tunpin_user_pages_dirty_lock(ub->pages, npages, true);"]),
    },
    {
      name: "the helper that does both",
      diff: diffOf("drivers/misc/ubuf.c", "static void ubuf_release(struct ubuf *ub)", [
        "+	unpin_user_pages_dirty_lock(ub->pages, ub->npages, ub->writable);",
      ]),
    },
    {
      name: "FOLL_GET-era set_page_dirty_lock() + put_page() is right for get_user_pages()",
      diff: diffOf("drivers/media/v4l2-core/videobuf-dma-sg.c", "int videobuf_dma_free(struct videobuf_dmabuf *dma)", [
        "+	for (i = 0; i < dma->nr_pages; i++) {",
        "+		if (dma->direction == DMA_FROM_DEVICE)",
        "+			set_page_dirty_lock(dma->pages[i]);",
        "+		put_page(dma->pages[i]);",
        "+	}",
      ]),
    },
    {
      name: "deliberate set_page_dirty() in atomic context replacing the locking helper",
      diff: diffOf("net/rds/rdma.c", "void rds_rdma_free_op(struct rm_rdma_op *ro)", [
        " 	for (i = 0; i < ro->op_nents; i++) {",
        " 		struct page *page = sg_page(&ro->op_sg[i]);",
        "-		unpin_user_pages_dirty_lock(&page, 1, !ro->op_write);",
        "+		if (!ro->op_write)",
        "+			set_page_dirty(page);",
        "+		unpin_user_page(page);",
        " 	}",
      ]),
    },
  ],
  invalid: [
    {
      name: "set_page_dirty() without the page lock, then unpin_user_page(), on pages pinned in the same function",
      diff: UNLOCKED_DIRTY,
      errors: [{ messageId: "unlockedDirty", line: lineOf(UNLOCKED_DIRTY, "set_page_dirty(") }],
    },
    {
      name: "open-coded set_page_dirty_lock() + unpin_user_page() loop over pages pinned in the same function is advice only",
      diff: OPEN_CODED_LOOP,
      errors: [{ messageId: "openCodedLoop", line: lineOf(OPEN_CODED_LOOP, "set_page_dirty_lock("), severity: "info" }],
    },
  ],
});
