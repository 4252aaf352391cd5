import { highmemAccess } from "../../src/rules/highmem-access.js";
import { diffOf, ruleTester } from "../helpers/rule-tester.js";

const HEADER = "static int rxe_map_user(struct rxe_mr *mr, unsigned long start)";

ruleTester(highmemAccess, {
  valid: [
    {
      name: "kmap_local_page() on a pinned page",
      diff: diffOf("drivers/infiniband/sw/rxe/rxe_mr.c", HEADER, [
        "+	ret = pin_user_pages_fast(start, 1, FOLL_WRITE, &page);",
        "+	va = kmap_local_page(page);",
      ]),
    },
    {
      name: "page_address() on a kernel page from alloc_page()",
      diff: diffOf("drivers/infiniband/sw/rxe/rxe_mr.c", HEADER, [
        "+	page = alloc_page(GFP_KERNEL);",
        "+	va = page_address(page);",
      ]),
    },
    {
      name: "page_address() that was already there before the patch (context only)",
      diff: diffOf("drivers/infiniband/sw/rxe/rxe_mr.c", HEADER, [
        " 	ret = pin_user_pages_fast(start, 1, FOLL_WRITE, &page);",
        " 	va = page_address(page);",
        "+	pr_debug(\"mapped %p\\n\", va);",
      ]),
    },
    {
      name: "highmem pages refused with PageHighMem() before page_address() (the io_uring fix)",
      diff: diffOf("io_uring/io_uring.c", "static void *io_map_user(struct io_ring_ctx *ctx, unsigned long uaddr, int nr_pages)", [
        "+	ret = pin_user_pages_fast(uaddr, nr_pages, FOLL_WRITE | FOLL_LONGTERM, pages);",
        "+	if (ret != nr_pages)",
        "+		goto err;",
        "+	for (i = 0; i < nr_pages; i++) {",
        "+		if (PageHighMem(pages[i]))",
        "+			goto err;",
        "+	}",
        "+	return page_address(pages[0]);",
        "+err:",
        "+	return ERR_PTR(-EINVAL);",
      ]),
    },
    {
      name: "page_address() only on the lowmem side of a PageHighMem() test",
      diff: diffOf("drivers/infiniband/sw/rxe/rxe_mr.c", HEADER, [
        "+	ret = pin_user_pages_fast(start, 1, FOLL_WRITE, &page);",
        "+	if (ret != 1)",
        "+		return -EFAULT;",
        "+	if (PageHighMem(page))",
        "+		va = kmap(page);",
        "+	else",
        "+		va = page_address(page);",
      ]),
    },
    {
      name: "a line-length cleanup re-wraps an old page_address() line: not new code",
      diff: diffOf("drivers/infiniband/sw/rxe/rxe_mr.c", HEADER, [
        " 	ret = pin_user_pages_fast(start, npages, FOLL_WRITE | FOLL_LONGTERM, pages);",
        " 	for (i = 0; i < ret; i++)",
        "-		mr->map[i / RXE_BUF_PER_MAP]->buf[i % RXE_BUF_PER_MAP].addr = (uintptr_t)page_address(pages[i]);",
        "+		mr->map[i / RXE_BUF_PER_MAP]->buf[i % RXE_BUF_PER_MAP].addr =",
        "+			(uintptr_t)page_address(pages[i]);",
      ]),
    },
  ],
  invalid: [
    {
      name: "page_address() on pages pinned by pin_user_pages_fast()",
      diff: diffOf("drivers/infiniband/sw/rxe/rxe_mr.c", HEADER, [
        "+	ret = pin_user_pages_fast(start, npages, FOLL_WRITE | FOLL_LONGTERM, pages);",
        "+	for (i = 0; i < ret; i++)",
        "+		mr->buf[i] = page_address(pages[i]);",
      ]),
      errors: [{ messageId: "directMap", line: 102 }],
    },
    {
      name: "on a 64-bit-only architecture the same is info",
      diff: diffOf("arch/s390/kvm/interrupt.c", "static int adapter_indicators_set(struct kvm *kvm)", [
        "+	ret = pin_user_pages_remote(kvm->mm, uaddr, 1, FOLL_WRITE, &page, NULL);",
        "+	map = page_address(page);",
      ]),
      errors: [{ messageId: "directMap", line: 101, severity: "info" }],
    },
  ],
});
