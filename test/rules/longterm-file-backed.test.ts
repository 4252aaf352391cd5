import { longtermFileBacked } from "../../src/rules/longterm-file-backed.js";
import { diffOf, ruleTester } from "../helpers/rule-tester.js";

const HEADER = "static int io_sqe_buffer_register(struct io_ring_ctx *ctx, struct iovec *iov)";

ruleTester(longtermFileBacked, {
  valid: [
    {
      name: "a FOLL_LONGTERM pin that leaves memory-type policy to GUP",
      diff: diffOf("io_uring/rsrc.c", HEADER, [
        "+	pret = pin_user_pages(ubuf, nr_pages, FOLL_WRITE | FOLL_LONGTERM, pages);",
        "+	if (pret != nr_pages)",
        "+		goto err;",
      ]),
    },
    {
      name: "the same VMA check only moved into a helper (modularising)",
      diff: diffOf("io_uring/rsrc.c", HEADER, [
        "-		if (vma_is_shmem(vma))",
        "-			continue;",
        "+	pret = pin_user_pages(ubuf, nr_pages, FOLL_WRITE | FOLL_LONGTERM, pages);",
        "+		if (vma_is_shmem(vma))",
        "+			continue;",
      ]),
    },
    {
      name: "a VMA check next to a short-term pin",
      diff: diffOf("io_uring/rsrc.c", HEADER, [
        "+	if (vma_is_fsdax(vma))",
        "+		return -EOPNOTSUPP;",
        "+	pret = pin_user_pages(ubuf, nr_pages, FOLL_WRITE, pages);",
      ]),
    },
  ],
  invalid: [
    {
      name: "open-coded file-backed checks around a long-term pin (FOLL_SAME_FILE era shape)",
      diff: diffOf("io_uring/rsrc.c", HEADER, [
        "+	pret = pin_user_pages(ubuf, nr_pages, FOLL_WRITE | FOLL_LONGTERM, pages, vmas);",
        "+	for (i = 0; i < nr_pages; i++) {",
        "+		struct vm_area_struct *vma = vmas[i];",
        "+",
        "+		if (vma_is_shmem(vma))",
        "+			continue;",
        "+		if (vma->vm_file && !is_file_hugepages(vma->vm_file)) {",
        "+			ret = -EOPNOTSUPP;",
        "+			break;",
        "+		}",
        "+	}",
      ]),
      errors: [{ messageId: "vmaCheck", line: 106, severity: "info" }],
    },
  ],
});
