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
      name: "FOLL_GET passed to a pin_user_pages*() call via a flags variable",
      diff: diffOf("drivers/misc/foo.c", HEADER, [
        "+	unsigned int gup_flags = FOLL_GET | FOLL_WRITE;",
        "+	ret = pin_user_pages_unlocked(uaddr, 1, &page, gup_flags);",
      ]),
      errors: [{ messageId: "getToPin", line: 101 }],
    },
  ],
});
