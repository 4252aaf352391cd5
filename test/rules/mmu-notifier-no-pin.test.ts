import { mmuNotifierNoPin } from "../../src/rules/mmu-notifier-no-pin.js";
import { diffOf, ruleTester } from "../helpers/rule-tester.js";

ruleTester(mmuNotifierNoPin, {
  valid: [
    {
      name: "a pin in code without any notifier (Case 2 DMA registration)",
      diff: diffOf("drivers/infiniband/core/umem.c", "struct ib_umem *ib_umem_get(struct ib_device *device, unsigned long addr)", [
        "+	ret = pin_user_pages_fast(cur_base, npages, FOLL_WRITE | FOLL_LONGTERM, page_list);",
      ]),
    },
    {
      name: "hmm_range_fault() without any pin (the Case 3 way)",
      diff: diffOf("drivers/gpu/drm/nouveau/nouveau_svm.c", "static int nouveau_range_fault(struct nouveau_svmm *svmm)", [
        "+	range.notifier_seq = mmu_interval_read_begin(range.notifier);",
        "+	ret = hmm_range_fault(&range);",
      ]),
    },
  ],
  invalid: [
    {
      name: "pin_user_pages_fast() added in a file that registers an interval notifier for the range",
      diff: diffOf("drivers/gpu/drm/foo/foo_userptr.c", "static int foo_userptr_fill(struct foo_userptr *up)", [
        " 	ret = mmu_interval_notifier_insert(&up->notifier, current->mm, start, size, &foo_mn_ops);",
        " 	if (ret)",
        " 		return ret;",
        "+	ret = pin_user_pages_fast(start, npages, FOLL_WRITE, up->pages);",
      ]),
      errors: [{ messageId: "notifierPin", line: 103, severity: "info" }],
    },
    {
      name: "pin_user_pages() added in a function driven by an interval notifier",
      diff: diffOf("drivers/gpu/drm/amd/amdgpu/amdgpu_ttm.c", "int amdgpu_ttm_tt_get_user_pages(struct amdgpu_bo *bo, struct page **pages)", [
        " 	mmu_interval_read_begin(&bo->notifier);",
        "+	r = pin_user_pages_fast(start, ttm->num_pages, FOLL_WRITE, pages);",
      ]),
      errors: [{ messageId: "notifierPin", line: 101, severity: "info" }],
    },
  ],
});
