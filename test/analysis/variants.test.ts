// Meaning-preserving rewrites: a finding is about what the code does to the
// pages, so renaming variables, moving the acquisition or the release into a
// helper the patch defines, jumping to a cleanup label instead of returning
// inline, splitting a statement or writing an equivalent test must not change
// which problems are reported. Each base patch breaks the contract once; each
// variant rewrites it without changing its meaning.
import assert from "node:assert/strict";
import { test } from "node:test";
import { RULES } from "../../src/rules/index.js";
import { added, mailable, runRules } from "../helpers/rule-tester.js";

const ALL = Object.values(RULES);

interface Base {
  name: string;
  path: string;
  code: string;
  /** rule/messageId pairs the base reports (mailable findings). */
  expect: string[];
  variants: Record<string, (code: string) => string>;
}

/** Renames identifiers (whole words only). */
function rename(code: string, names: Record<string, string>): string {
  return code.replace(/(?<!struct )\b[A-Za-z_]\w*/g, (w) => names[w] ?? w);
}

/** Replaces `from` (which must occur) by `to`. */
function swap(code: string, from: string | RegExp, to: string): string {
  const out = code.replace(from, to);
  assert.notEqual(out, code, `variant did not apply: ${String(from)}`);
  return out;
}

const SHORT_PIN_LEAK = `
static int foo_map(struct foo *f, unsigned long uaddr, int n)
{
	struct page **pages;
	int ret;

	pages = kcalloc(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ret = pin_user_pages_fast(uaddr, n, FOLL_WRITE | FOLL_LONGTERM, pages);
	if (ret < 0) {
		kfree(pages);
		return ret;
	}
	if (ret != n) {
		kfree(pages);
		return -EFAULT;
	}
	f->pages = pages;
	f->npages = n;
	return 0;
}
`;

const PIN_PUT = `
static int foo_copy(unsigned long uaddr, int n, void *buf)
{
	struct page **pages;
	int ret, i;

	pages = kcalloc(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ret = pin_user_pages_fast(uaddr, n, 0, pages);
	if (ret <= 0) {
		kfree(pages);
		return ret ? ret : -EFAULT;
	}
	foo_consume(pages, ret, buf);
	for (i = 0; i < ret; i++)
		put_page(pages[i]);
	kfree(pages);
	return 0;
}
`;

const GET_WRITE = `
static int foo_poke(unsigned long hva, const void *data, int offset, int len)
{
	struct page *page;
	int npages;

	npages = get_user_pages_unlocked(hva, 1, &page, FOLL_WRITE);
	if (npages != 1)
		return -EFAULT;
	memcpy(page_address(page) + offset, data, len);
	put_page(page);
	return 0;
}
`;

const HEAD_UNPIN = `
static void foo_drop(struct page **pages, int n)
{
	int i;

	for (i = 0; i < n; i++)
		unpin_user_page(compound_head(pages[i]));
}

static int foo_hold(unsigned long uaddr, int n, struct page **pages)
{
	int ret;

	ret = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);
	if (ret < 0)
		return ret;
	foo_use(pages, ret);
	foo_drop(pages, ret);
	return 0;
}
`;

const BASES: Base[] = [
  {
    name: "a short pin returns without unpinning",
    path: "drivers/misc/foo.c",
    code: SHORT_PIN_LEAK,
    expect: ["leak-on-error-path/shortLeak"],
    variants: {
      "renamed variables": (c) => rename(c, { pages: "pv", ret: "got", n: "count", f: "ctx" }),
      "goto a cleanup label": (c) =>
        swap(swap(c, "\tif (ret != n) {\n\t\tkfree(pages);\n\t\treturn -EFAULT;\n\t}", "\tif (ret != n) {\n\t\tret = -EFAULT;\n\t\tgoto err_free;\n\t}"),
          "\treturn 0;\n}", "\treturn 0;\n\nerr_free:\n\tkfree(pages);\n\treturn ret;\n}"),
      "equivalent error test (ret < n)": (c) => swap(c, "if (ret != n)", "if (ret < n)"),
      "equivalent error test (unlikely)": (c) => swap(c, "if (ret != n)", "if (unlikely(ret != n))"),
      "statement split in two": (c) => swap(c, "\tret = pin_user_pages_fast(uaddr, n, FOLL_WRITE | FOLL_LONGTERM, pages);",
        "\tunsigned int gup_flags = FOLL_WRITE | FOLL_LONGTERM;\n\n\tret = pin_user_pages_fast(uaddr, n, gup_flags, pages);"),
      "the pin moved into a helper the patch defines": (c) =>
        "\nstatic int foo_pin(unsigned long uaddr, int n, struct page **pages)\n{\n\treturn pin_user_pages_fast(uaddr, n, FOLL_WRITE | FOLL_LONGTERM, pages);\n}\n" +
        swap(c, "pin_user_pages_fast(uaddr, n, FOLL_WRITE | FOLL_LONGTERM, pages)", "foo_pin(uaddr, n, pages)"),
    },
  },
  {
    name: "pinned pages released with put_page()",
    path: "drivers/misc/foo.c",
    code: PIN_PUT,
    expect: ["release-mismatch/modeMismatch"],
    variants: {
      "renamed variables": (c) => rename(c, { pages: "upages", ret: "nr", i: "k" }),
      "the release moved into a helper the patch defines": (c) =>
        "\nstatic void foo_put_all(struct page **pages, int n)\n{\n\tint i;\n\n\tfor (i = 0; i < n; i++)\n\t\tput_page(pages[i]);\n}\n" +
        swap(c, "\tfor (i = 0; i < ret; i++)\n\t\tput_page(pages[i]);", "\tfoo_put_all(pages, ret);"),
      "release_pages() for the loop": (c) => swap(c, "\tfor (i = 0; i < ret; i++)\n\t\tput_page(pages[i]);", "\trelease_pages(pages, ret);"),
      "a while loop": (c) => swap(c, "\tfor (i = 0; i < ret; i++)\n\t\tput_page(pages[i]);", "\ti = 0;\n\twhile (i < ret)\n\t\tput_page(pages[i++]);"),
    },
  },
  {
    name: "the CPU writes through a FOLL_GET reference (CASE 5)",
    path: "drivers/misc/foo.c",
    code: GET_WRITE,
    expect: ["gup-data-access/cpuWrite", "highmem-access/directMap"],
    variants: {
      "renamed variables": (c) => rename(c, { page: "pg", npages: "got", data: "src" }),
      "page_to_virt() for page_address()": (c) => swap(c, "page_address(page)", "page_to_virt(page)"),
      "the address computed first": (c) => swap(c, "\tmemcpy(page_address(page) + offset, data, len);", "\tvoid *addr = page_address(page) + offset;\n\n\tmemcpy(addr, data, len);"),
      "the get moved into a helper the patch defines": (c) =>
        "\nstatic struct page *foo_get_page(unsigned long hva)\n{\n\tstruct page *page;\n\n\tif (get_user_pages_unlocked(hva, 1, &page, FOLL_WRITE) != 1)\n\t\treturn NULL;\n\treturn page;\n}\n" +
        swap(swap(c, "\tnpages = get_user_pages_unlocked(hva, 1, &page, FOLL_WRITE);\n\tif (npages != 1)", "\tpage = foo_get_page(hva);\n\tif (!page)"), "\tint npages;\n", ""),
    },
  },
  {
    name: "the head page unpinned in place of the pinned page",
    path: "drivers/misc/foo.c",
    code: HEAD_UNPIN,
    expect: ["release-mismatch/derivedReleased"],
    variants: {
      "&page_folio(p)->page for compound_head(p)": (c) => swap(c, "compound_head(pages[i])", "&page_folio(pages[i])->page"),
      "the head taken into a local first": (c) => swap(c, "\t\tunpin_user_page(compound_head(pages[i]));", "\t{\n\t\tstruct page *head = compound_head(pages[i]);\n\n\t\tunpin_user_page(head);\n\t}"),
    },
  },
];

async function reported(path: string, code: string): Promise<string[]> {
  const findings = mailable(await runRules(ALL, added(path, code)));
  return [...new Set(findings.map((f) => `${f.rule}/${f.messageId}`))].sort();
}

for (const base of BASES) {
  test(`variants of "${base.name}": the base reports ${base.expect.join(", ")}`, async () => {
    assert.deepEqual(await reported(base.path, base.code), [...base.expect].sort());
  });
  for (const [variant, rewrite] of Object.entries(base.variants)) {
    test(`variants of "${base.name}": ${variant}`, async () => {
      assert.deepEqual(await reported(base.path, rewrite(base.code)), [...base.expect].sort());
    });
  }
}
