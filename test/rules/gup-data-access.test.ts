import { gupDataAccess } from "../../src/rules/gup-data-access.js";
import { diffOf, ruleTester } from "../helpers/rule-tester.js";

const HEADER = "static int next_segment(unsigned long len, int offset)";

ruleTester(gupDataAccess, {
  valid: [
    {
      name: "pinned pages written and released with unpin_user_pages_dirty_lock (the Case 5 fix)",
      diff: diffOf("drivers/misc/ubuf.c", HEADER, [
        "+	npages = pin_user_pages_unlocked(hva, 1, &page, FOLL_WRITE);",
        "+	if (npages != 1)",
        "+		return -EFAULT;",
        "+	memcpy(page_address(page) + offset, data, seg);",
        "+	unpin_user_pages_dirty_lock(&page, 1, true);",
      ]),
    },
    {
      name: "the lock_page() alternative: the page is locked across the write",
      diff: diffOf("drivers/misc/ubuf.c", HEADER, [
        "+	npages = get_user_pages_fast(hva, 1, FOLL_WRITE, &page);",
        "+	if (npages != 1)",
        "+		return -EFAULT;",
        "+	lock_page(page);",
        "+	kaddr = kmap_local_page(page);",
        "+	memcpy(kaddr + offset, data, seg);",
        "+	kunmap_local(kaddr);",
        "+	set_page_dirty(page);",
        "+	unlock_page(page);",
        "+	put_page(page);",
      ]),
    },
    {
      name: "ptrace-style access in kernel/events is FOLL_GET by design",
      diff: diffOf("kernel/events/uprobes.c", "static int __update_ref_ctr(struct mm_struct *mm, unsigned long vaddr, short d)", [
        "+	ret = get_user_pages_remote(mm, vaddr, 1, FOLL_WRITE, &page, NULL);",
        "+	kaddr = kmap_atomic(page);",
        "+	memcpy(kaddr + off, &d, sizeof(d));",
        "+	put_page(page);",
      ]),
    },
    {
      name: "get_user_pages() named in a comment and a string only",
      diff: diffOf("drivers/misc/ubuf.c", HEADER, [
        "+	/* get_user_pages(uaddr, 1, FOLL_WRITE, &page); memcpy(page_address(page), src, n); */",
        '+	pr_debug("get_user_pages(%lx) then memcpy(page_address(page))\\n", uaddr);',
      ]),
    },
    {
      name: "an mmu-notifier (Case 3) user needs no pin",
      diff: diffOf("drivers/gpu/drm/foo/foo_userptr.c", "static int foo_userptr_fill(struct foo_userptr *up)", [
        " 	mmu_interval_notifier_insert(&up->notifier, current->mm, start, size, &foo_mn_ops);",
        "+	ret = get_user_pages_fast(start, npages, FOLL_WRITE, up->pages);",
        "+	sg_set_page(sg, up->pages[0], PAGE_SIZE, 0);",
      ]),
    },
    {
      name: "a 2019 patch written before the pin API existed",
      date: "2019-06-01T00:00:00Z",
      diff: diffOf("drivers/misc/ubuf.c", HEADER, [
        "+	npages = get_user_pages_fast(hva, 1, FOLL_WRITE, &page);",
        "+	memcpy(page_address(page) + offset, data, seg);",
        "+	put_page(page);",
      ]),
    },
  ],
  invalid: [
    {
      name: "get_user_pages_unlocked + memcpy into page_address + put_page (the KVM RFCv2 08/16 shape)",
      diff: diffOf("virt/kvm/kvm_main.c", HEADER, [
        "+	while ((seg = next_segment(len, offset)) != 0) {",
        "+		npages = get_user_pages_unlocked(hva, 1, &page, FOLL_WRITE);",
        "+		if (npages != 1)",
        "+			return -EFAULT;",
        "+		memcpy(page_address(page) + offset, data, seg);",
        "+		put_page(page);",
        "+	}",
      ]),
      errors: [{ messageId: "cpuWrite", line: 104, severity: "warning" }],
    },
    {
      name: "get_user_pages_fast pages handed to sg_set_page for DMA",
      diff: diffOf("drivers/crypto/foo/foo_user.c", "static int foo_map_user(struct foo_req *req, unsigned long uaddr)", [
        " 	struct page *pages[FOO_MAX_PAGES];",
        "+	ret = get_user_pages_fast(uaddr, nr, FOLL_WRITE, pages);",
        "+	for (i = 0; i < ret; i++)",
        "+		sg_set_page(&req->sg[i], pages[i], PAGE_SIZE, 0);",
      ]),
      errors: [{ messageId: "device", line: 103 }],
    },
    {
      name: "a write through a kmap'ed alias, acquisition in context",
      diff: diffOf("drivers/misc/ubuf.c", HEADER, [
        " 	ret = get_user_pages_remote(mm, addr, 1, FOLL_WRITE, &page, NULL);",
        " 	if (ret != 1)",
        " 		return -EFAULT;",
        "+	vaddr = kmap_local_page(page);",
        "+	memset(vaddr, 0, PAGE_SIZE);",
        "+	kunmap_local(vaddr);",
        " 	put_page(page);",
      ]),
      errors: [{ messageId: "cpuWrite", line: 104, severity: "warning" }],
    },
  ],
});
