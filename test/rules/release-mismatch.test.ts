import { releaseMismatch } from "../../src/rules/release-mismatch.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import { added, diffOf, lineOf, ruleTester, runRules } from "../helpers/rule-tester.js";

// The whole coalescing helper: the pages come from the caller through *pages
// (pinned: part of them are unpinned here), and the array handed back holds
// the head page instead of the page that was pinned.
const COALESCE = added("io_uring/rsrc.c", `
static bool io_do_coalesce_buffer(struct page ***pages, int *nr_pages, int nr_folios, int head_pages)
{
	struct page **page_array = *pages, **new_array = NULL;

	new_array = kvmalloc_array(nr_folios, sizeof(struct page *), GFP_KERNEL);
	if (!new_array)
		return false;
	new_array[0] = compound_head(page_array[0]);
	if (head_pages > 1)
		unpin_user_pages(&page_array[1], head_pages - 1);
	kvfree(page_array);
	*pages = new_array;
	*nr_pages = nr_folios;
	return true;
}
`);

// iov_iter_extract_pages() pins a user-backed iterator's pages and takes
// nothing on a kernel-backed one: the unpin has to follow the iterator.
const kvecExtract = (guard?: string) =>
  diffOf("fs/foo/direct.c", "static ssize_t foo_direct_io(struct foo_req *req, struct kvec *kv, size_t len)", [
    "+	iov_iter_kvec(&iter, ITER_SOURCE, kv, 1, len);",
    "+	ret = iov_iter_extract_pages(&iter, &pages, len, 16, 0, &offset);",
    "+	if (ret <= 0)",
    "+		return ret;",
    "+	foo_submit(req, pages, ret, offset);",
    ...(guard ? [`+	${guard}`, "+		unpin_user_pages(pages, DIV_ROUND_UP(ret + offset, PAGE_SIZE));"] : ["+	unpin_user_pages(pages, DIV_ROUND_UP(ret + offset, PAGE_SIZE));"]),
  ]);

ruleTester(releaseMismatch, {
  valid: [
    {
      name: "fix patch: -put_page +unpin_user_pages_dirty_lock (the rds 2022 shape)",
      diff: diffOf("net/rds/ib_rdma.c", "void __rds_ib_teardown_mr(struct rds_ib_mr *ibmr)", [
        " 		for (i = 0; i < ibmr->sg_len; ++i) {",
        " 			struct page *page = sg_page(&ibmr->sg[i]);",
        "-			set_page_dirty(page);",
        "-			put_page(page);",
        "+			unpin_user_pages_dirty_lock(&page, 1, true);",
        " 		}",
      ]),
    },
    {
      name: "conditional release keyed on a pinned flag",
      diff: diffOf("fs/nfs/direct.c", "static void nfs_release_pages(struct nfs_page *req)", [
        " 	ret = iov_iter_extract_pages(iter, &pages, maxsize, maxpages, 0, &offset);",
        "+	if (req->pinned)",
        "+		unpin_user_pages(pages, npages);",
        "+	else",
        "+		for (i = 0; i < npages; i++)",
        "+			put_page(pages[i]);",
      ]),
    },
    {
      name: "pages extracted from a kvec iterator unpinned only when iov_iter_extract_will_pin() says so",
      diff: kvecExtract("if (iov_iter_extract_will_pin(&iter))"),
    },
    {
      name: "pages extracted from a kvec iterator unpinned only when it is not a kvec",
      diff: kvecExtract("if (!iov_iter_is_kvec(&iter))"),
    },
    {
      name: "put_page() on kernel ring pages while user pages are unpinned",
      diff: diffOf("io_uring/kbuf.c", "static int io_pin_pbuf_ring(struct io_uring_buf_reg *reg)", [
        "+	page = virt_to_head_page(ring);",
        "+	if (put_page_testzero(page))",
        "+		free_compound_page(page);",
        "+	put_page(page);",
      ]),
    },
    {
      name: "an extra get_page() on a pinned page dropped with put_page()",
      diff: diffOf("drivers/misc/ubuf.c", "static int ubuf_hold(struct ubuf *ub)", [
        " 	ret = pin_user_pages_fast(uaddr, 1, FOLL_WRITE, &page);",
        "+	get_page(page);",
        "+	queue_work_on_page(ub, page);",
        "+	put_page(page);",
      ]),
    },
    {
      name: "compound_head() used only to compare and account huge pages (io_uring accounting trap)",
      diff: diffOf("io_uring/rsrc.c", "static int io_buffer_account_pin(struct io_ring_ctx *ctx, struct page **pages, int nr_pages)", [
        " 	for (i = 0; i < nr_pages; i++) {",
        "+		struct page *hpage = compound_head(pages[i]);",
        "+",
        "+		if (hpage == *last_hpage)",
        "+			continue;",
        "+		*last_hpage = hpage;",
        " 	}",
        " 	unpin_user_pages(pages, nr_pages);",
      ]),
    },
    {
      name: "coalescing that keeps folio pins exact with unpin_user_folio()",
      diff: diffOf("io_uring/rsrc.c", "static bool io_coalesce_buffer(struct page ***pages, int *nr_pages)", [
        "+	struct page **page_array = *pages, **new_array;",
        "+",
        "+	new_array[0] = compound_head(page_array[0]);",
        "+	unpin_user_folio(page_folio(page_array[1]), nr - 1);",
        "+	*pages = new_array;",
      ]),
    },
  ],
  invalid: [
    {
      name: "pages extracted from a kvec iterator unpinned unconditionally: nothing was pinned",
      diff: kvecExtract(),
      errors: [{ messageId: "extractKernelUnpinned", line: 105 }],
    },
    {
      name: "pin_user_pages_fast() pages released with put_page()",
      diff: diffOf("drivers/misc/ubuf_ring.c", "static void ubuf_ring_unmap(struct ubuf_ring *ring)", [
        " 	ret = pin_user_pages_fast(uaddr, npages, FOLL_WRITE, ring->pages);",
        "+	for (i = 0; i < ring->npages; i++)",
        "+		put_page(ring->pages[i]);",
      ]),
      errors: [{ messageId: "modeMismatch", line: 102 }],
    },
    {
      name: "get_user_pages_fast() pages released with unpin_user_pages()",
      diff: diffOf("drivers/misc/ubuf_ring.c", "static int ubuf_ring_map(struct ubuf_ring *ring)", [
        " 	ret = get_user_pages_fast(uaddr, npages, FOLL_WRITE, pages);",
        " 	if (ret < 0)",
        " 		return ret;",
        "+	unpin_user_pages(pages, ret);",
      ]),
      errors: [{ messageId: "modeMismatch", line: 103 }],
    },
    {
      name: "compound_head() of a pinned tail page stored and later unpinned (io_uring coalescing shape)",
      diff: diffOf("io_uring/rsrc.c", "static bool io_try_coalesce_buffer(struct page ***pages, int *nr_pages)", [
        " 	page_array = io_pin_pages(ubuf, len, &nr_pages);",
        " 	ret = pin_user_pages_fast(ubuf, nr_pages, FOLL_WRITE | FOLL_LONGTERM, page_array);",
        "+	new_array[0] = compound_head(page_array[0]);",
        "+	*pages = new_array;",
        "+	unpin_user_page(new_array[0]);",
      ]),
      errors: [{ messageId: "derivedReleased", line: 104 }],
    },
    {
      name: "multi-hugepage coalescing, whole function: head page replaces the pinned array handed back to the caller",
      diff: COALESCE,
      errors: [{ messageId: "derivedHandedBack", line: lineOf(COALESCE, "compound_head(") }],
    },
  ],
});

// A helper the patch defines unpins the head of the page its caller pinned:
// the comment lands in the helper and names the pages' origin as its caller.
const HEAD_IN_HELPER = diffOf("drivers/misc/foo.c", "static int foo_open(struct foo *f)", [
  "+static void foo_put_head(struct page *page)",
  "+{",
  "+	unpin_user_page(compound_head(page));",
  "+}",
  "+",
  "+static int foo_pin(struct foo *f, unsigned long uaddr)",
  "+{",
  "+	struct page *page;",
  "+	int ret;",
  "+",
  "+	ret = pin_user_pages_fast(uaddr, 1, FOLL_WRITE, &page);",
  "+	if (ret != 1)",
  "+		return -EFAULT;",
  "+	foo_use(f, page_address(page));",
  "+	foo_put_head(page);",
  "+	return 0;",
  "+}",
]);

test("a release helper's head-page unpin names the helper's caller as the pages' origin, never a stand-in", async () => {
  const findings = await runRules([releaseMismatch], HEAD_IN_HELPER);
  assert.deepEqual(findings.map((f) => f.line), [lineOf(HEAD_IN_HELPER, "unpin_user_page(compound_head(page));")]);
  assert.match(findings[0]!.message, /the caller of foo_put_head\(\) pinned/);
  assert.doesNotMatch(findings[0]!.message, /:page/);
});
