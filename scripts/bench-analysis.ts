// `npm run bench:analysis`: the engine's cost on the two shapes that used to
// blow up, against the targets of issue 15: one 2 MB hunk (a new file of
// many functions using the API) in under 5 s, and one fully shown
// 2,000-line function in under 1 s. The inputs are generated, so the figures
// are the same on every machine that runs the same code; each is reviewed
// three times and the median is reported. A benchmark, not a test.
import { performance } from "node:perf_hooks";
import { initCParser } from "../src/analysis/c-parser.js";
import { configSchema } from "../src/config/schema.js";
import { parseSubject } from "../src/mail/parse-subject.js";
import type { Mail } from "../src/mail/types.js";
import { reviewMail } from "../src/review/review-mail.js";
import { ALL_RULES } from "../src/rules/index.js";

/** One function of the generated file: pins, checks, maps, a loop, a cleanup label. */
function helper(n: number): string[] {
  return [
    `static int pw_map_${n}(struct pw_ctx *ctx, unsigned long uaddr, int npages)`,
    "{",
    "	struct page **pages;",
    "	int ret, i;",
    "",
    "	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL);",
    "	if (!pages)",
    "		return -ENOMEM;",
    "	ret = pin_user_pages_fast(uaddr, npages, FOLL_WRITE | FOLL_LONGTERM, pages);",
    "	if (ret < 0)",
    "		goto err_free;",
    "	if (ret != npages) {",
    "		unpin_user_pages(pages, ret);",
    "		ret = -EFAULT;",
    "		goto err_free;",
    "	}",
    "	for (i = 0; i < npages; i++) {",
    "		void *addr = kmap_local_page(pages[i]);",
    "",
    `		memset(addr, ${n % 255}, PAGE_SIZE);`,
    "		kunmap_local(addr);",
    "	}",
    "	ctx->pages = pages;",
    "	ctx->npages = npages;",
    "	return 0;",
    "",
    "err_free:",
    "	kvfree(pages);",
    "	return ret;",
    "}",
    "",
  ];
}

/** A 2,000-line function: a long chain of branches, loops and labelled exits around one pin. */
function longFunction(lines: number): string[] {
  const body: string[] = [
    "static int pw_long(struct pw_ctx *ctx, unsigned long uaddr, int npages, int mode)",
    "{",
    "	struct page **pages = ctx->scratch;",
    "	int ret, i, acc = 0;",
    "",
    "	ret = pin_user_pages_fast(uaddr, npages, FOLL_WRITE, pages);",
    "	if (ret <= 0)",
    "		return ret ? ret : -EFAULT;",
  ];
  let k = 0;
  while (body.length < lines - 8) {
    body.push(
      `	if (mode & ${1 << (k % 16)}) {`,
      `		for (i = 0; i < ret; i++)`,
      `			acc += ${k} * i;`,
      `		if (acc > ${1000 + k})`,
      `			goto out_${k % 8};`,
      "	} else {",
      `		acc -= ${k};`,
      "	}",
    );
    k++;
  }
  for (let j = 0; j < 8; j++) body.push(`out_${j}:`, `	acc += ${j};`);
  body.push("	unpin_user_pages(pages, ret);", "	return acc;", "}");
  return body;
}

function mailOf(path: string, code: string[]): Mail {
  const added = code.map((l) => `+${l}`);
  const diff = [`diff --git a/${path} b/${path}`, "new file mode 100644", "--- /dev/null", `+++ b/${path}`, `@@ -0,0 +1,${added.length} @@`, ...added, ""].join("\n");
  const subject = "[PATCH] pw: generated benchmark input";
  return {
    messageId: `bench-${path}@pinwatch.test`, source: "bench", references: [], viaRelay: false, subject, tags: parseSubject(subject),
    from: { name: "Bench", address: "bench@example.org" }, to: [], cc: [], date: new Date("2026-01-01T00:00:00Z"),
    kind: "patch", body: diff, patchText: diff, ccStable: false,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

await initCParser();
const config = configSchema.parse({});
const bigHunk: string[] = [];
for (let n = 0; bigHunk.join("\n").length < 2 * 1024 * 1024; n++) bigHunk.push(...helper(n));
const cases = [
  { name: "one 2 MB hunk", mail: mailOf("drivers/misc/pw_big.c", bigHunk), target: 5 },
  { name: "a fully shown 2,000-line function", mail: mailOf("drivers/misc/pw_long.c", longFunction(2000)), target: 1 },
];
let allMet = true;
for (const c of cases) {
  const times: number[] = [];
  let findings = 0;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    findings = reviewMail(c.mail, { rules: ALL_RULES, config }).findings.length;
    times.push((performance.now() - started) / 1000);
  }
  const m = median(times);
  const met = m < c.target;
  allMet &&= met;
  console.log(`${c.name} (${(c.mail.patchText!.length / 1024 / 1024).toFixed(2)} MB): median ${m.toFixed(2)} s of ${times.map((t) => t.toFixed(2)).join(", ")}; target < ${c.target} s ${met ? "met" : "NOT met"}; ${findings} findings`);
}
console.log(allMet ? "analysis targets met" : "analysis targets NOT met");
