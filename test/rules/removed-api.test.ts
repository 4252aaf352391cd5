import { removedApi } from "../../src/rules/removed-api.js";
import { diffOf, ruleTester } from "../helpers/rule-tester.js";

const release = (lines: string[]) =>
  diffOf("drivers/misc/ubuf.c", "static void ubuf_release(struct ubuf *ub)", lines);

ruleTester(removedApi, {
  valid: [
    {
      name: "2019: put_user_pages() was the release API of the day",
      date: "2019-08-01T00:00:00Z",
      diff: release(["-	for (i = 0; i < ub->n; i++)", "-		put_page(ub->pages[i]);", "+	put_user_pages(ub->pages, ub->n);"]),
    },
    {
      name: "a 6.1.y backport may still call page_maybe_dma_pinned()",
      date: "2025-03-01T00:00:00Z",
      subject: "[PATCH 6.1.y] ubuf: skip pinned pages",
      diff: release(["+	if (page_maybe_dma_pinned(page))", "+		return -EBUSY;"]),
    },
    {
      name: "a backport to an unnamed stable tree is not judged",
      date: "2025-03-01T00:00:00Z",
      subject: "[PATCH stable] ubuf: skip pinned pages",
      diff: release(["+	if (page_maybe_dma_pinned(page))", "+		return -EBUSY;"]),
    },
    {
      name: "the removed name only on a removed line (a conversion)",
      date: "2025-03-01T00:00:00Z",
      diff: release(["-	if (page_maybe_dma_pinned(page))", "+	if (folio_maybe_dma_pinned(page_folio(page)))", " 		return -EBUSY;"]),
    },
    {
      name: "the patch introduces a new function under the old name with a new signature",
      date: "2023-01-16T00:00:00Z",
      diff: [
        diffOf("include/linux/uio.h", "struct iov_iter {", [
          "+ssize_t iov_iter_get_pages(struct iov_iter *i, struct page **pages, size_t maxsize, unsigned maxpages,",
          "+			size_t *start, unsigned gup_flags);",
        ]),
        diffOf("net/tls/tls_sw.c", "static int tls_setup_from_iter(struct iov_iter *from)", [
          "-	copied = iov_iter_get_pages2(from, pages, length, maxpages, &offset);",
          "+	copied = iov_iter_get_pages(from, pages, length, maxpages, &offset, 0);",
        ]),
      ].join(""),
    },
    {
      name: "version-compat code in an out-of-tree style #if block",
      date: "2025-03-01T00:00:00Z",
      diff: release([
        "+#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)",
        "+	ret = get_user_pages(addr, 1, FOLL_WRITE, &page, NULL);",
        "+#endif",
      ]),
    },
  ],
  invalid: [
    {
      name: "put_user_pages() in a 2021 mainline patch",
      date: "2021-06-01T00:00:00Z",
      diff: release(["+	put_user_pages(ub->pages, ub->n);"]),
      errors: [{ messageId: "removedCall", line: 100 }],
    },
    {
      name: "page_maybe_dma_pinned() in a 6.12.y backport",
      date: "2025-03-01T00:00:00Z",
      subject: "[PATCH 6.12.y] ubuf: skip pinned pages",
      diff: release(["+	if (page_maybe_dma_pinned(page))", "+		return -EBUSY;"]),
      errors: [{ messageId: "removedCall", line: 100 }],
    },
    {
      name: "the vmas argument to pin_user_pages() after 6.5",
      date: "2024-02-01T00:00:00Z",
      diff: release(["+	ret = pin_user_pages(addr, n, FOLL_WRITE | FOLL_LONGTERM, pages, vmas);"]),
      errors: [{ messageId: "removedParameter", line: 100 }],
    },
    {
      name: "FOLL_NUMA in a 2024 patch",
      date: "2024-02-01T00:00:00Z",
      diff: release(["+	ret = get_user_pages_remote(mm, addr, 1, FOLL_NUMA, &page, NULL);"]),
      errors: [{ messageId: "removedFlag", line: 100 }],
    },
  ],
});
