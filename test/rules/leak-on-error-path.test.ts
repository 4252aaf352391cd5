import { leakOnErrorPath } from "../../src/rules/leak-on-error-path.js";
import { diffOf, ruleTester } from "../helpers/rule-tester.js";

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
      name: "a return reached only through a label after the function's final return",
      diff: diffOf("fs/netfs/iterator.c", "ssize_t netfs_extract(struct iov_iter *orig, struct bvecq **head)", [
        "+	struct page **pages;",
        "+",
        "+	got = iov_iter_extract_pages(orig, &pages, max_len, max_pages, 0, &offset);",
        "+	if (got < 0)",
        "+		goto out;",
        "+	extracted += got;",
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
      errors: [{ messageId: "leak", line: 114 }],
    },
    {
      name: "sg table failure returns the error with the pins still held",
      diff: diffOf("io_uring/zcrx.c", "static int io_import_umem(struct io_zcrx_ifq *ifq, struct io_zcrx_mem *mem)", [
        "+	struct page **pages;",
        "+	int nr_pages, ret;",
        "+",
        "+	pages = io_pin_pages((unsigned long)area_reg->addr, area_reg->len, &nr_pages);",
        "+	nr_pages = pin_user_pages_fast(addr, nr, FOLL_WRITE | FOLL_LONGTERM, pages);",
        "+	if (nr_pages != nr)",
        "+		goto out_unpin;",
        "+	ret = sg_alloc_table_from_pages(&mem->page_sg_table, pages, nr_pages, 0, len, GFP_KERNEL_ACCOUNT);",
        "+	if (ret)",
        "+		return ret;",
        "+	mem->pages = pages;",
      ]),
      errors: [{ messageId: "leak", line: 109 }],
    },
  ],
});
