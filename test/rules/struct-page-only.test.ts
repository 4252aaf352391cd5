import { structPageOnly } from "../../src/rules/struct-page-only.js";
import { diffOf, ruleTester } from "../helpers/rule-tester.js";

const fn = (body: string[]) =>
  diffOf("drivers/misc/ubuf.c", "static int ubuf_probe(struct ubuf *ub)", [
    "+static bool ubuf_range_is_anon(unsigned long addr)",
    "+{",
    "+	struct page *page;",
    "+	bool anon;",
    "+",
    ...body,
    "+	return anon;",
    "+}",
  ]);

ruleTester(structPageOnly, {
  valid: [
    {
      name: "the page data is read after the pin",
      diff: fn([
        "+	if (pin_user_pages_fast(addr, 1, 0, &page) != 1)",
        "+		return false;",
        "+	anon = PageAnon(page);",
        "+	memcpy(buf, page_address(page), 16);",
        "+	unpin_user_page(page);",
      ]),
    },
    {
      // The hunk ends before the release: code after it, not shown, may still read the page.
      name: "only part of the function is visible, and not the release: stays silent",
      diff: diffOf("drivers/misc/ubuf.c", "static bool ubuf_range_is_anon(unsigned long addr)", [
        "+	if (pin_user_pages_fast(addr, 1, 0, &page) != 1)",
        "+		return false;",
        "+	anon = PageAnon(page);",
      ]),
    },
  ],
  invalid: [
    {
      name: "a pin taken only to test PageAnon()",
      diff: fn([
        "+	if (pin_user_pages_fast(addr, 1, 0, &page) != 1)",
        "+		return false;",
        "+	anon = PageAnon(page);",
        "+	unpin_user_page(page);",
      ]),
      errors: [{ messageId: "metadataOnly", line: 105, severity: "info" }],
    },
    {
      // Only part of the function, but everything from the pin to its unpin is shown:
      // nothing in between reads or writes the page.
      name: "a fragment that shows the pin, the PageAnon() test and the unpin",
      diff: diffOf("drivers/misc/ubuf.c", "static bool ubuf_range_is_anon(unsigned long addr)", [
        "+	if (pin_user_pages_fast(addr, 1, 0, &page) != 1)",
        "+		return false;",
        "+	anon = PageAnon(page);",
        " 	unpin_user_page(page);",
      ]),
      errors: [{ messageId: "metadataOnly", line: 100, severity: "info" }],
    },
  ],
});
