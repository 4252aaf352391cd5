import { missingFollWrite } from "../../src/rules/missing-foll-write.js";
import { diffOf, ruleTester } from "../helpers/rule-tester.js";

const HEADER = "static int ubuf_map_for_device(struct ubuf *ub, unsigned long uaddr, int n)";

// The request's direction picks the iterator's: a write request's user
// buffer is the data source, a read's is the destination the device fills.
const integrityMap = (init: string, source: string, dest: string) =>
  diffOf("block/blk-integrity.c", "int blk_rq_integrity_map_user(struct request *rq, void __user *ubuf, ssize_t bytes)", [
    "+	struct iov_iter iter;",
    "+	unsigned int direction;",
    "+	int ret;",
    "+",
    "+	if (op_is_write(req_op(rq)))",
    `+		direction = ${source};`,
    "+	else",
    `+		direction = ${dest};`,
    `+	${init}`,
    "+	ret = iov_iter_extract_pages(&iter, &pages, bytes, nr_vecs, 0, &offset);",
  ]);

ruleTester(missingFollWrite, {
  valid: [
    {
      name: "iterator direction follows the request: source for a write, destination for a read",
      diff: integrityMap("iov_iter_ubuf(&iter, direction, ubuf, bytes);", "ITER_SOURCE", "ITER_DEST"),
    },
    {
      name: "inverted direction on a kernel-backed iterator: nothing is pinned, so no FOLL_WRITE question",
      diff: integrityMap("iov_iter_bvec(&iter, direction, bvec, nr_segs, bytes);", "ITER_DEST", "ITER_SOURCE"),
    },
    {
      name: "read-only registration: FOLL_WRITE added conditionally to a flags variable",
      diff: diffOf("drivers/infiniband/core/umem.c", "struct ib_umem *ib_umem_get(struct ib_device *device, unsigned long addr)", [
        "+	unsigned int gup_flags = FOLL_LONGTERM;",
        "+",
        "+	if (umem->writable)",
        "+		gup_flags |= FOLL_WRITE;",
        "+	ret = pin_user_pages_fast(cur_base, npages, gup_flags, page_list);",
        "+	dma_map_sgtable(device->dma_device, &umem->sgt_append.sgt, DMA_BIDIRECTIONAL, 0);",
      ]),
    },
    {
      name: "pages only sent to the device (DMA_TO_DEVICE)",
      diff: diffOf("drivers/misc/ubuf.c", HEADER, [
        "+	ret = pin_user_pages_fast(uaddr, 1, FOLL_LONGTERM, &page);",
        "+	dma = dma_map_page(ub->dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);",
      ]),
    },
    {
      name: "FOLL_WRITE is passed",
      diff: diffOf("drivers/misc/ubuf.c", HEADER, [
        "+	ret = pin_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_LONGTERM, &page);",
        "+	dma = dma_map_page(ub->dev, page, 0, PAGE_SIZE, DMA_FROM_DEVICE);",
      ]),
    },
    {
      name: "release with a computed make_dirty",
      diff: diffOf("drivers/misc/ubuf.c", HEADER, [
        "+	ret = pin_user_pages_fast(uaddr, n, 0, ub->pages);",
        "+	unpin_user_pages_dirty_lock(ub->pages, ret, ub->dirty);",
      ]),
    },
  ],
  invalid: [
    {
      name: "iterator direction inverted: a read's user buffer built as a data source",
      diff: integrityMap("iov_iter_ubuf(&iter, direction, ubuf, bytes);", "ITER_DEST", "ITER_SOURCE"),
      errors: [{ messageId: "iterDirection", line: 108 }],
    },
    {
      name: "pinned read-only, then mapped DMA_FROM_DEVICE",
      diff: diffOf("drivers/misc/ubuf.c", HEADER, [
        "+	ret = pin_user_pages_fast(uaddr, 1, FOLL_LONGTERM, &page);",
        "+	if (ret != 1)",
        "+		return -EFAULT;",
        "+	dma = dma_map_page(ub->dev, page, 0, PAGE_SIZE, DMA_FROM_DEVICE);",
      ]),
      errors: [{ messageId: "written", line: 100 }],
    },
    {
      name: "kernel writes a snapshot into pages pinned without FOLL_WRITE",
      diff: diffOf("net/rds/info.c", "int rds_info_getsockopt(struct socket *sock, int optname, char __user *optval)", [
        "+	ret = pin_user_pages_fast(start, nr_pages, 0, pages);",
        "+	addr = kmap_local_page(pages[0]);",
        "+	memcpy(addr + offset, data, bytes);",
        "+	kunmap_local(addr);",
        "+	unpin_user_pages_dirty_lock(pages, nr_pages, true);",
      ]),
      errors: [{ messageId: "written", line: 100 }],
    },
  ],
});
