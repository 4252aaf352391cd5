import { partialPinReturn } from "../../src/rules/partial-pin-return.js";
import { diffOf, ruleTester } from "../helpers/rule-tester.js";

const HEADER = "static int ubuf_build_sg(struct ubuf *ub, unsigned long uaddr, int nr_pages)";
const map = (lines: string[]) => diffOf("drivers/misc/ubuf.c", HEADER, lines);

ruleTester(partialPinReturn, {
  valid: [
    {
      name: "the result kept in a ssize_t and checked for an error",
      diff: diffOf("drivers/block/foo.c", "static int foo_copy(struct foo *f, struct iov_iter *uiter)", [
        "+	struct page *pages[16];",
        "+	size_t off;",
        "+	ssize_t len;",
        "+",
        "+	len = iov_iter_get_pages2(uiter, pages, PAGE_SIZE * 16, 16, &off);",
        "+	if (len <= 0)",
        "+		return len ? len : -EFAULT;",
        "+	foo_consume(f, pages, len, off);",
      ]),
    },
    {
      name: "a single page checked with != 1",
      diff: map([
        "+	ret = pin_user_pages_fast(uaddr, 1, FOLL_WRITE, &page);",
        "+	if (ret != 1)",
        "+		return ret < 0 ? ret : -EFAULT;",
      ]),
    },
    {
      name: "a short count is released exactly and turned into an error",
      diff: map([
        "+	ret = pin_user_pages_fast(uaddr, nr_pages, FOLL_WRITE, pages);",
        "+	if (ret != nr_pages) {",
        "+		if (ret > 0)",
        "+			unpin_user_pages(pages, ret);",
        "+		return -EFAULT;",
        "+	}",
        "+	for (i = 0; i < nr_pages; i++)",
        "+		sg_set_page(&sg[i], pages[i], PAGE_SIZE, 0);",
      ]),
    },
    {
      name: "the count is reset to what was obtained (rds shape)",
      diff: map([
        "+	ret = pin_user_pages_fast(uaddr, nr_pages, FOLL_WRITE, pages);",
        "+	if (ret != nr_pages) {",
        "+		if (ret > 0)",
        "+			nr_pages = ret;",
        "+		ret = -EAGAIN;",
        "+		goto out;",
        "+	}",
      ]),
    },
    {
      name: "the loop is bounded by the result",
      diff: map([
        "+	ret = pin_user_pages_fast(uaddr, nr_pages, FOLL_WRITE, pages);",
        "+	if (ret < 0)",
        "+		return ret;",
        "+	for (i = 0; i < ret; i++)",
        "+		sg_set_page(&sg[i], pages[i], PAGE_SIZE, 0);",
      ]),
    },
    {
      name: "the result is reset before the pfn fallback reuses it",
      diff: diffOf("drivers/media/common/videobuf2/frame_vector.c", "int get_vaddr_frames(unsigned long start, unsigned int nr_frames, struct frame_vector *vec)", [
        "+	ret = pin_user_pages_fast(start, nr_frames, FOLL_WRITE | FOLL_LONGTERM, (struct page **)(vec->ptrs));",
        "+	if (ret > 0) {",
        "+		vec->got_ref = true;",
        "+		goto out_unlocked;",
        "+	}",
        "+",
        "+	mmap_read_lock(mm);",
        "+	ret = 0;",
        "+	do {",
        "+		while (ret < nr_frames && start + PAGE_SIZE <= vma->vm_end) {",
        "+			err = follow_pfn(vma, start, &nums[ret]);",
        "+			start += PAGE_SIZE;",
        "+			ret++;",
        "+		}",
        "+	} while (ret < nr_frames);",
      ]),
    },
  ],
  invalid: [
    {
      name: "the count is the size of the on-stack array, not the pages the buffer spans",
      diff: map([
        "+	struct page *stack_pages[UIO_FASTIOV];",
        "+	struct page **pages = stack_pages;",
        "+	int npages, ret;",
        "+",
        "+	ret = pin_user_pages_fast(uaddr, UIO_FASTIOV, FOLL_WRITE, pages);",
        "+	if (unlikely(ret < 0))",
        "+		return ret;",
        "+	npages = ret;",
        "+	ub->npages = npages;",
      ]),
      errors: [{ messageId: "capacityCount", line: 104 }],
    },
    {
      name: "the result kept in a size_t: a negative errno becomes a huge count",
      diff: diffOf("drivers/block/foo.c", "static int foo_copy(struct foo *f, struct iov_iter *uiter)", [
        "+	struct page *pages[16];",
        "+	size_t off, len;",
        "+",
        "+	len = iov_iter_get_pages2(uiter, pages, PAGE_SIZE * 16, 16, &off);",
        "+	if (len <= 0)",
        "+		return -EFAULT;",
        "+	foo_consume(f, pages, len, off);",
      ]),
      errors: [{ messageId: "truncated", line: 103 }],
    },
    {
      name: "frame-vector shape: a failed pin's -errno carried into the pfn fallback as an index",
      diff: diffOf("drivers/media/common/videobuf2/frame_vector.c", "int get_vaddr_frames(unsigned long start, unsigned int nr_frames, struct frame_vector *vec)", [
        "+	ret = pin_user_pages_fast(start, nr_frames, FOLL_WRITE | FOLL_LONGTERM, (struct page **)(vec->ptrs));",
        "+	if (ret > 0) {",
        "+		vec->got_ref = true;",
        "+		goto out_unlocked;",
        "+	}",
        "+",
        "+	mmap_read_lock(mm);",
        "+	do {",
        "+		while (ret < nr_frames && start + PAGE_SIZE <= vma->vm_end) {",
        "+			err = follow_pfn(vma, start, &nums[ret]);",
        "+			start += PAGE_SIZE;",
        "+			ret++;",
        "+		}",
        "+	} while (ret < nr_frames);",
      ]),
      errors: [{ messageId: "negativeUsed", line: 109 }],
    },
    {
      name: "only the error case is checked, then every requested page is used",
      diff: map([
        "+	ret = pin_user_pages_fast(uaddr, nr_pages, FOLL_WRITE | FOLL_LONGTERM, pages);",
        "+	if (ret < 0)",
        "+		return ret;",
        "+	for (i = 0; i < nr_pages; i++)",
        "+		sg_set_page(&sg[i], pages[i], PAGE_SIZE, 0);",
      ]),
      errors: [{ messageId: "shortTreatedAsFull", line: 104 }],
    },
    {
      name: "the failure branch unpins all requested pages, not the ones pinned",
      diff: map([
        " 	ret = pin_user_pages_fast(uaddr, nr_pages, FOLL_WRITE, pages);",
        " 	if (ret != nr_pages) {",
        "+		unpin_user_pages(pages, nr_pages);",
        " 		return -EFAULT;",
        " 	}",
      ]),
      errors: [{ messageId: "overRelease", line: 102 }],
    },
  ],
});
