import { leakOnErrorPath } from "../../src/rules/leak-on-error-path.js";
import { added, diffOf, lineOf, ruleTester } from "../helpers/rule-tester.js";

// A new function in the shape of block/bio.c's zone-append page gathering:
// pages come from iov_iter_get_pages(), each is added to the bio, and a
// failure in the middle returns without dropping the pages not yet added.
const gatherPages = (failure: string[]) =>
  diffOf("block/bio.c", "static int bio_gather(struct bio *bio)", [
    "+static int __bio_gather_user_pages(struct bio *bio, struct iov_iter *iter)",
    "+{",
    "+	struct page **pages = (struct page **)bio->bi_io_vec;",
    "+	ssize_t got, left;",
    "+	unsigned int len, i;",
    "+	size_t offset;",
    "+",
    "+	got = iov_iter_get_pages(iter, pages, LONG_MAX, 16, &offset);",
    "+	if (unlikely(got <= 0))",
    "+		return got ? got : -EFAULT;",
    "+",
    "+	for (left = got, i = 0; left > 0; left -= len, i++) {",
    "+		len = min_t(size_t, PAGE_SIZE - offset, left);",
    ...failure,
    "+		offset = 0;",
    "+	}",
    "+	iov_iter_advance(iter, got);",
    "+	return 0;",
    "+}",
  ]);

// The bio-integrity shape: on failure a loop walks back from the cursor and
// puts the pages the bio already holds, leaving the rest of the array held.
const GATHER_COUNTDOWN = gatherPages([
  "+		if (bio_add_page(bio, pages[i], len, offset) != len) {",
  "+			while (i > 0)",
  "+				put_page(pages[--i]);",
  "+			return -EINVAL;",
  "+		}",
]);

// io_uring/zcrx.c's umem import as a whole function: when the scatterlist
// cannot be built, it returns the error with the pages still pinned and the
// array that holds them still its own (mem->pages is set only afterwards).
const SG_TABLE_LEAK = added("io_uring/zcrx.c", `
static int io_import_umem(struct io_zcrx_mem *mem, unsigned long addr, size_t len)
{
	struct page **pages;
	int nr, nr_pages, ret;

	nr = DIV_ROUND_UP(len, PAGE_SIZE);
	pages = kvmalloc_array(nr, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;
	nr_pages = pin_user_pages_fast(addr, nr, FOLL_WRITE | FOLL_LONGTERM, pages);
	if (nr_pages != nr) {
		ret = -EFAULT;
		goto out_unpin;
	}
	ret = sg_alloc_table_from_pages(&mem->page_sg_table, pages, nr_pages, 0, len, GFP_KERNEL_ACCOUNT);
	if (ret)
		return ret;
	mem->pages = pages;
	mem->nr_folios = nr_pages;
	return 0;
out_unpin:
	if (nr_pages > 0)
		unpin_user_pages(pages, nr_pages);
	kvfree(pages);
	return ret;
}
`);

// Leaving a hand-on loop through a cleanup label that frees the array and
// returns: one leak, told at the goto that leaves the loop, not again at the
// label's return that the other paths share.
const LOOP_GOTO_TO_FREEING_LABEL = diffOf("drivers/misc/foo.c", "static int foo_gather(struct bio *bio)", [
  "+static int foo_gather_user(struct bio *bio, struct iov_iter *iter)",
  "+{",
  "+	struct page **pages;",
  "+	ssize_t got, left;",
  "+	unsigned int len, i;",
  "+	size_t offset;",
  "+	int ret;",
  "+",
  "+	pages = kcalloc(16, sizeof(*pages), GFP_KERNEL);",
  "+	if (!pages)",
  "+		return -ENOMEM;",
  "+	got = iov_iter_get_pages2(iter, pages, LONG_MAX, 16, &offset);",
  "+	if (got <= 0) {",
  "+		ret = got ? got : -EFAULT;",
  "+		goto out;",
  "+	}",
  "+	for (left = got, i = 0; left > 0; left -= len, i++) {",
  "+		len = min_t(size_t, PAGE_SIZE - offset, left);",
  "+		if (bio_add_page(bio, pages[i], len, offset) != len) {",
  "+			ret = -EINVAL;",
  "+			goto out;",
  "+		}",
  "+		offset = 0;",
  "+	}",
  "+	ret = 0;",
  "+out:",
  "+	kfree(pages);",
  "+	return ret;",
  "+}",
]);

// Several failure gotos after the pin share one label that only returns:
// one leak, told at the return they share.
const GOTOS_SHARE_A_RETURN = diffOf("drivers/misc/foo.c", "static int foo_open(struct foo *f)", [
  "+static int foo_map_user(struct foo *f, unsigned long uaddr)",
  "+{",
  "+	struct page *page;",
  "+	int ret;",
  "+",
  "+	ret = pin_user_pages_fast(uaddr, 1, FOLL_WRITE, &page);",
  "+	if (ret != 1)",
  "+		return ret < 0 ? ret : -EFAULT;",
  "+	if (foo_busy(f)) {",
  "+		ret = -EBUSY;",
  "+		goto err;",
  "+	}",
  "+	if (foo_dead(f)) {",
  "+		ret = -ENODEV;",
  "+		goto err;",
  "+	}",
  "+	f->page = page;",
  "+	return 0;",
  "+err:",
  "+	return ret;",
  "+}",
]);

ruleTester(leakOnErrorPath, {
  valid: [
    {
      name: "the acquisition's own check returns (the seed's npages != 1 test)",
      diff: diffOf("virt/kvm/kvm_main.c", "static int copy_to_guest(struct kvm *kvm, gpa_t gpa, void *data, int len)", [
        "+	struct page *page;",
        "+	int npages;",
        "+",
        "+	npages = get_user_pages_unlocked(hva, 1, &page, FOLL_WRITE);",
        "+	if (npages != 1)",
        "+		return -EFAULT;",
        "+	memcpy(page_address(page) + offset, data, len);",
        "+	put_page(page);",
        "+	return 0;",
      ]),
    },
    {
      name: "the error branch releases the pages before returning",
      diff: gatherPages([
        "+		if (bio_add_page(bio, pages[i], len, offset) != len) {",
        "+			while (i < got_pages(got))",
        "+				put_page(pages[i++]);",
        "+			return -EINVAL;",
        "+		}",
      ]),
    },
    {
      name: "the error branch jumps to a cleanup label (not judged)",
      diff: gatherPages([
        "+		if (bio_add_page(bio, pages[i], len, offset) != len)",
        "+			goto out_put;",
      ]),
    },
    {
      name: "pages handed to an object whose destructor releases them",
      diff: diffOf("drivers/misc/ubuf.c", "static int ubuf_map(struct ubuf *ub, unsigned long uaddr)", [
        "+	struct page **pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);",
        "+",
        "+	ret = pin_user_pages_fast(uaddr, n, FOLL_WRITE | FOLL_LONGTERM, pages);",
        "+	if (ret != n)",
        "+		goto out_unpin;",
        "+	ub->pages = pages;",
        "+	if (ub_register(ub))",
        "+		return -EBUSY;",
      ]),
    },
    {
      // The extracted pages are handed on before the label: as first written the
      // fragment dropped them on the success path, a real leak at `return extracted`.
      name: "a return reached only through a label after the function's final return",
      diff: diffOf("fs/netfs/iterator.c", "ssize_t netfs_extract(struct iov_iter *orig, struct bvecq **head)", [
        "+	struct page **pages;",
        "+",
        "+	got = iov_iter_extract_pages(orig, &pages, max_len, max_pages, 0, &offset);",
        "+	if (got < 0)",
        "+		goto out;",
        "+	extracted += got;",
        "+	bvecq_add_pages(*head, pages, got, offset);",
        "+out:",
        "+	return extracted;",
        "+alloc_empty:",
        "+	bq = bvecq_alloc_one(1, GFP_NOFS);",
        "+	if (!bq)",
        "+		return -ENOMEM;",
      ]),
    },
    {
      name: "the error return is on the other arm of the if that acquires",
      diff: diffOf("drivers/misc/ubuf.c", "static int ubuf_pin(struct ubuf *ub, unsigned long uaddr)", [
        "+	struct page *pages[4];",
        "+",
        "+	if (uaddr) {",
        "+		ret = pin_user_pages_fast(uaddr, 4, FOLL_WRITE, pages);",
        "+		if (ret != 4)",
        "+			goto err;",
        "+	} else {",
        "+		return -EINVAL;",
        "+	}",
      ]),
    },
  ],
  invalid: [
    {
      name: "zone-append shape: bio_add failure returns -EINVAL with pages still referenced",
      diff: gatherPages([
        "+		if (bio_add_page(bio, pages[i], len, offset) != len)",
        "+			return -EINVAL;",
      ]),
      errors: [{ messageId: "remainderLeak", line: 114 }],
    },
    {
      name: "the error branch counts down, putting the pages already added instead of the rest",
      diff: GATHER_COUNTDOWN,
      errors: [{ messageId: "remainderLeak", line: lineOf(GATHER_COUNTDOWN, "return -EINVAL;") }],
    },
    {
      name: "a loop left through a goto to a label that frees the array: one finding, at that goto",
      diff: LOOP_GOTO_TO_FREEING_LABEL,
      errors: [{ messageId: "remainderLeak", line: lineOf(LOOP_GOTO_TO_FREEING_LABEL, "goto out;", 2) }],
    },
    {
      name: "failure gotos that share one returning label: one finding, at the shared return",
      diff: GOTOS_SHARE_A_RETURN,
      errors: [{ messageId: "leak", line: lineOf(GOTOS_SHARE_A_RETURN, "return ret;") }],
    },
    {
      name: "sg table failure returns the error with the pins still held (whole function)",
      diff: SG_TABLE_LEAK,
      errors: [{ messageId: "leak", line: lineOf(SG_TABLE_LEAK, "return ret;") }],
    },
  ],
});
