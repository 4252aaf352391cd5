import { internalFlag } from "../../src/rules/internal-flag.js";
import { diffOf, ruleTester } from "../helpers/rule-tester.js";

const HEADER = "static int foo_pin(struct foo *f, unsigned long uaddr)";

ruleTester(internalFlag, {
  valid: [
    {
      name: "mm/gup.c juggles FOLL_PIN by design",
      diff: diffOf("mm/gup.c", "long pin_user_pages(unsigned long start, unsigned long nr_pages,", [
        "+	gup_flags |= FOLL_PIN;",
        "+	return __gup_longterm_locked(current->mm, start, nr_pages, pages, NULL, gup_flags);",
      ]),
    },
    {
      name: "FOLL_PIN used as a cleanup-mode marker, not passed to GUP",
      diff: diffOf("block/blk.h", "static inline void bio_release_page(struct bio *bio, struct page *page)", [
        "+	if (bio_flagged(bio, BIO_PAGE_PINNED))",
        "+		gup_put_folio(page_folio(page), 1, FOLL_PIN);",
      ]),
    },
    {
      name: "public flags only",
      diff: diffOf("drivers/misc/foo.c", HEADER, [
        "+	ret = pin_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_LONGTERM, &page);",
      ]),
    },
    {
      name: "FOLL_TOUCH to get_user_pages() before 6.3: the wrapper sets it too and ignores the caller's",
      date: "2022-06-01T00:00:00Z",
      diff: diffOf("drivers/misc/foo.c", HEADER, [
        "+	ret = get_user_pages(uaddr, 1, FOLL_TOUCH | FOLL_WRITE, &page);",
      ]),
    },
  ],
  invalid: [
    {
      name: "FOLL_PIN passed by hand",
      diff: diffOf("drivers/misc/foo.c", HEADER, [
        "+	ret = get_user_pages_fast(uaddr, 1, FOLL_PIN | FOLL_WRITE, &page);",
      ]),
      errors: [{ messageId: "internalFlag", line: 100 }],
    },
    {
      name: "FOLL_PIN to a pin wrapper before 6.3: redundant, and refused from 6.3",
      date: "2023-01-26T00:00:00Z",
      diff: diffOf("lib/iov_iter.c", HEADER, [
        "+	unsigned int gup_flags = FOLL_PIN;",
        "+	ret = pin_user_pages_fast(uaddr, 1, gup_flags, &page);",
      ]),
      errors: [{ messageId: "internalFlagRedundant", line: 101, severity: "warning" }],
    },
    {
      name: "FOLL_PIN to a pin wrapper from 6.3: refused",
      diff: diffOf("lib/iov_iter.c", HEADER, [
        "+	unsigned int gup_flags = FOLL_PIN;",
        "+	ret = pin_user_pages_fast(uaddr, 1, gup_flags, &page);",
      ]),
      errors: [{ messageId: "internalFlag", line: 101 }],
    },
    {
      name: "FOLL_TOUCH to get_user_pages() from 6.3: refused although the wrapper sets it too",
      diff: diffOf("drivers/misc/foo.c", HEADER, [
        "+	ret = get_user_pages(uaddr, 1, FOLL_TOUCH | FOLL_WRITE, &page);",
      ]),
      errors: [{ messageId: "internalFlag", line: 100 }],
    },
    {
      name: "FOLL_GET passed to a pin_user_pages*() call via a flags variable",
      diff: diffOf("drivers/misc/foo.c", HEADER, [
        "+	unsigned int gup_flags = FOLL_GET | FOLL_WRITE;",
        "+	ret = pin_user_pages_unlocked(uaddr, 1, &page, gup_flags);",
      ]),
      errors: [{ messageId: "getToPin", line: 101 }],
    },
  ],
});
