import { longtermWithoutPin } from "../../src/rules/longterm-without-pin.js";
import { diffOf, ruleTester } from "../helpers/rule-tester.js";

const HEADER = "static int foo_reg_mr(struct foo_mr *mr, u64 start, u64 length)";

ruleTester(longtermWithoutPin, {
  valid: [
    {
      name: "pin_user_pages_fast() with FOLL_LONGTERM",
      diff: diffOf("drivers/infiniband/hw/foo/mr.c", HEADER, [
        "+	ret = pin_user_pages_fast(start, npages, FOLL_WRITE | FOLL_LONGTERM, pages);",
      ]),
    },
    {
      name: "conversion: FOLL_LONGTERM only on the removed get_user_pages() line",
      diff: diffOf("drivers/infiniband/hw/foo/mr.c", HEADER, [
        "-	ret = get_user_pages(start, npages, FOLL_WRITE | FOLL_LONGTERM, pages, NULL);",
        "+	ret = pin_user_pages(start, npages, FOLL_WRITE | FOLL_LONGTERM, pages, NULL);",
      ]),
    },
    {
      name: "2019: get_user_pages(FOLL_LONGTERM) was the API of the day",
      date: "2019-11-12T00:00:00Z",
      diff: diffOf("drivers/infiniband/hw/foo/mr.c", HEADER, [
        "+	ret = get_user_pages_fast(start, npages, FOLL_WRITE | FOLL_LONGTERM, pages);",
      ]),
    },
  ],
  invalid: [
    {
      name: "FOLL_LONGTERM straight into get_user_pages_fast()",
      diff: diffOf("drivers/infiniband/hw/foo/mr.c", HEADER, [
        "+	ret = get_user_pages_fast(start, npages, FOLL_WRITE | FOLL_LONGTERM, pages);",
      ]),
      errors: [{ messageId: "longtermGet", line: 100 }],
    },
    {
      name: "FOLL_LONGTERM built in a flags variable",
      diff: diffOf("drivers/vfio/foo_iommu.c", "static int vaddr_get_pfn(struct mm_struct *mm, unsigned long vaddr)", [
        "+	unsigned int flags = FOLL_LONGTERM;",
        " 	if (prot & IOMMU_WRITE)",
        " 		flags |= FOLL_WRITE;",
        "+	ret = get_user_pages_remote(mm, vaddr, 1, flags, page, NULL);",
      ]),
      errors: [{ messageId: "longtermGet", line: 103 }],
    },
  ],
});
