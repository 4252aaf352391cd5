import assert from "node:assert/strict";
import { test } from "node:test";
import { initCParser } from "../../src/analysis/c-parser.js";
import { configSchema } from "../../src/config/schema.js";
import { parseSubject } from "../../src/mail/parse-subject.js";
import type { Mail } from "../../src/mail/types.js";
import { RULES } from "../../src/rules/index.js";
import { reviewMail } from "../../src/review/review-mail.js";
import { OpenSeries, seriesKey, siblingsIn } from "../../src/review/series.js";
import { diffOf, mailFromDiff } from "../helpers/rule-tester.js";

function patch(index: number, diff: string, overrides: Partial<Mail> = {}): Mail {
  const subject = `[PATCH v2 ${index}/2] ubuf: convert to pin_user_pages()`;
  return {
    ...mailFromDiff(diff, { subject }),
    messageId: `ubuf-v2-${index}@example.org`,
    tags: parseSubject(subject),
    inReplyTo: "ubuf-v2-0@example.org",
    references: ["ubuf-v2-0@example.org"],
    ...overrides,
  };
}

const ACQUIRE_TO_PIN = diffOf("drivers/misc/ubuf.c", "static int ubuf_map(struct ubuf *ub, unsigned long uaddr)", [
  "-	ret = get_user_pages_fast(uaddr, ub->npages, FOLL_WRITE, ub->pages);",
  "+	ret = pin_user_pages_fast(uaddr, ub->npages, FOLL_WRITE, ub->pages);",
]);

const RELEASE_WITH_PUT = diffOf("drivers/misc/ubuf.c", "static void ubuf_unmap(struct ubuf *ub)", [
  "-	release_user_buffer(ub);",
  "+	for (i = 0; i < ub->npages; i++)",
  "+		put_page(ub->pages[i]);",
], 300);

const RELEASE_WITH_UNPIN_BESIDE_OLD_GET = diffOf("drivers/misc/ubuf.c", "static int ubuf_map(struct ubuf *ub, unsigned long uaddr)", [
  " 	ret = get_user_pages_fast(uaddr, ub->npages, FOLL_WRITE, ub->pages);",
  " 	if (ret != ub->npages)",
  "+		unpin_user_pages(ub->pages, ret);",
]);

const rules = [RULES["release-mismatch"]!];
const config = configSchema.parse({});

test("series: patches of one posting are held until complete; other versions and senders are separate", () => {
  const one = patch(1, ACQUIRE_TO_PIN);
  const two = patch(2, RELEASE_WITH_PUT);
  const otherVersion = { ...patch(2, RELEASE_WITH_PUT), tags: parseSubject("[PATCH v3 2/2] ubuf: convert to pin_user_pages()") };
  const single = { ...patch(1, ACQUIRE_TO_PIN), tags: parseSubject("[PATCH] ubuf: convert") };
  assert.equal(seriesKey(single), undefined);
  assert.notEqual(seriesKey(otherVersion), seriesKey(two));
  const open = new OpenSeries();
  assert.equal(open.add(one, seriesKey(one)!), undefined);
  assert.equal(open.add(otherVersion, seriesKey(otherVersion)!), undefined);
  const posting = open.add(two, seriesKey(two)!);
  assert.deepEqual(posting, [one, two]);
  assert.deepEqual(siblingsIn(posting!, one), [two]);
  assert.deepEqual(open.drain(), [[otherVersion]]);
  assert.deepEqual(open.drain(), []);
});

test("series: a release added in 2/2 is judged against the acquisition changed in 1/2", async () => {
  await initCParser();
  const one = patch(1, ACQUIRE_TO_PIN);
  const two = patch(2, RELEASE_WITH_PUT);
  assert.deepEqual(reviewMail(two, { rules, config }).findings, [], "alone, 2/2 shows no origin for ub->pages");
  const findings = reviewMail(two, { rules, config, series: [one] }).findings;
  assert.deepEqual(findings.map((f) => [f.messageId, f.line]), [["slotModeMismatch", 301]]);
  // The acquisition lives in 1/2: it informs the comment but is never quoted in 2/2's reply.
  assert.deepEqual(findings[0]!.related, []);
});

test("series: an unpin added before the acquisition's conversion is not a mismatch once the series is in view", async () => {
  await initCParser();
  const one = patch(1, RELEASE_WITH_UNPIN_BESIDE_OLD_GET);
  const two = patch(2, ACQUIRE_TO_PIN);
  assert.equal(reviewMail(one, { rules, config }).findings.length, 1, "alone, 1/2 looks like get + unpin");
  assert.deepEqual(reviewMail(one, { rules, config, series: [two] }).findings, []);
});
