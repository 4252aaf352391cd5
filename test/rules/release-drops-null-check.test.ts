import { releaseDropsNullCheck } from "../../src/rules/release-drops-null-check.js";
import { added, diffOf, lineOf, ruleTester } from "../helpers/rule-tester.js";

const HEADER = "int rds_info_getsockopt(struct socket *sock, int optname, char __user *optval)";

// net/rds/info.c's rds_info_getsockopt() as a whole function, with the NULL
// check around the release dropped: a failed kmalloc_array() jumps to `out`
// with pages NULL and nr_pages not 0.
const RDS_NULL_ARRAY = added("net/rds/info.c", `
int rds_info_getsockopt(struct socket *sock, int optname, char __user *optval, int __user *optlen)
{
\tstruct page **pages = NULL;
\tunsigned long start;
\tunsigned long nr_pages = 0;
\tint ret, len;

\tif (get_user(len, optlen))
\t\treturn -EFAULT;
\tstart = (unsigned long)optval;
\tnr_pages = (PAGE_ALIGN(start + len) - (start & PAGE_MASK)) >> PAGE_SHIFT;
\tpages = kmalloc_array(nr_pages, sizeof(struct page *), GFP_KERNEL);
\tif (!pages) {
\t\tret = -ENOMEM;
\t\tgoto out;
\t}
\tret = pin_user_pages_fast(start, nr_pages, FOLL_WRITE, pages);
\tif (ret != nr_pages) {
\t\tif (ret > 0)
\t\t\tnr_pages = ret;
\t\telse
\t\t\tnr_pages = 0;
\t\tret = -EAGAIN;
\t\tgoto out;
\t}
\tret = rds_info_copy_pages(sock, optname, pages, nr_pages, len);
out:
\tunpin_user_pages(pages, nr_pages);
\tkfree(pages);
\treturn ret;
}
`);

ruleTester(releaseDropsNullCheck, {
  valid: [
    {
      name: "the NULL-array check is kept around the batched release",
      diff: diffOf("drivers/virt/fsl_hypervisor.c", "static long ioctl_memcpy(struct fsl_hv_ioctl_memcpy __user *p)", [
        " exit:",
        "-	if (pages) {",
        "-		for (i = 0; i < num_pages; i++)",
        "-			put_page(pages[i]);",
        "-	}",
        "+	if (pages)",
        "+		unpin_user_pages(pages, num_pages);",
      ]),
    },
    {
      name: "an early return on a NULL array precedes the batched release",
      diff: diffOf("drivers/xen/privcmd.c", "static void unlock_pages(struct page *pages[], unsigned int nr_pages)", [
        " 	if (!pages)",
        " 		return;",
        " ",
        "-	for (i = 0; i < nr_pages; i++)",
        "-		put_page(pages[i]);",
        "+	unpin_user_pages(pages, nr_pages);",
      ], 611),
    },
    {
      name: "slot check dropped for unpin_user_pages() after it learned to skip NULL (2024+)",
      date: "2025-02-01T00:00:00Z",
      diff: diffOf("io_uring/memmap.c", "static void io_pages_free(struct page ***pages, int npages)", [
        "-	for (i = 0; i < npages; i++) {",
        "-		if (page_array[i])",
        "-			unpin_user_page(page_array[i]);",
        "-	}",
        "+	unpin_user_pages(page_array, npages);",
      ]),
    },
    {
      name: "an open-coded loop without any NULL check becomes a batched release",
      diff: diffOf("net/rds/rdma.c", "static int rds_pin_pages(unsigned long user_addr, unsigned int nr_pages)", [
        "-	for (i = 0; i < nr; i++)",
        "-		put_page(pages[i]);",
        "+	unpin_user_pages(pages, nr);",
      ]),
    },
  ],
  invalid: [
    {
      name: "rds shape, whole function: the failed allocation's NULL array reaches an unconditional unpin_user_pages()",
      date: "2020-05-16T00:00:00Z",
      diff: RDS_NULL_ARRAY,
      errors: [{ messageId: "arrayNull", line: lineOf(RDS_NULL_ARRAY, "unpin_user_pages(pages, nr_pages);") }],
    },
    {
      name: "rds shape: loop guarded by 'pages &&' replaced by an unconditional unpin_user_pages()",
      date: "2020-05-16T00:00:00Z",
      diff: diffOf("net/rds/info.c", HEADER, [
        " out:",
        "-	for (i = 0; pages && i < nr_pages; i++)",
        "-		put_page(pages[i]);",
        "+	unpin_user_pages(pages, nr_pages);",
        " 	kfree(pages);",
      ], 234),
      errors: [{ messageId: "arrayCheckDropped", line: 235 }],
    },
    {
      name: "xen shape: loop skipping NULL slots replaced by put_user_pages() (2019)",
      date: "2019-08-01T00:00:00Z",
      diff: diffOf("drivers/xen/privcmd.c", "static void unlock_pages(struct page *pages[], unsigned int nr_pages)", [
        " 	if (!pages)",
        " 		return;",
        " ",
        "-	for (i = 0; i < nr_pages; i++) {",
        "-		if (pages[i])",
        "-			put_page(pages[i]);",
        "-	}",
        "+	put_user_pages(pages, nr_pages);",
      ], 611),
      errors: [{ messageId: "slotNull", line: 614 }],
    },
  ],
});
