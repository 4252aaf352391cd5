import { dirtyThenRelease } from "../../src/rules/dirty-then-release.js";
import { diffOf, ruleTester } from "../helpers/rule-tester.js";

ruleTester(dirtyThenRelease, {
  valid: [
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
      name: "set_page_dirty() without the page lock, then unpin_user_page()",
      diff: diffOf("drivers/misc/ubuf.c", "static void ubuf_release(struct ubuf *ub)", [
        "+	for (i = 0; i < ub->npages; i++) {",
        "+		set_page_dirty(ub->pages[i]);",
        "+		unpin_user_page(ub->pages[i]);",
        "+	}",
      ]),
      errors: [{ messageId: "unlockedDirty", line: 101 }],
    },
    {
      name: "open-coded set_page_dirty_lock() + unpin_user_page() loop is advice only",
      diff: diffOf("drivers/misc/ubuf.c", "static void ubuf_release2(struct ubuf *ub)", [
        "+	for (i = 0; i < ub->npages; i++) {",
        "+		set_page_dirty_lock(ub->pages[i]);",
        "+		unpin_user_page(ub->pages[i]);",
        "+	}",
      ]),
      errors: [{ messageId: "openCodedLoop", line: 101, severity: "info" }],
    },
  ],
});
