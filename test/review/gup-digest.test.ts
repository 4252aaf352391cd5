// The GUP/pin hunks' digest: the same through re-indenting and re-wrapping,
// different when the code changes, blind to hunks that do not touch the API.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parsePatch } from "../../src/diff/parse-patch.js";
import { gupDigest, gupHunksUnchanged } from "../../src/review/gup-digest.js";

function patch(gupLines: string[], other = "+int unrelated;"): string {
  return [
    "diff --git a/drivers/a.c b/drivers/a.c", "--- a/drivers/a.c", "+++ b/drivers/a.c",
    `@@ -10,2 +10,${gupLines.length + 2} @@ static int f(void)`, " {", ...gupLines, " }",
    "diff --git a/drivers/b.c b/drivers/b.c", "--- a/drivers/b.c", "+++ b/drivers/b.c", "@@ -1,1 +1,2 @@", " int x;", other, "",
  ].join("\n");
}
const digest = (text: string) => gupDigest(parsePatch(text), []);

test("re-indented and re-wrapped GUP lines give the same digest; changed code or another file's hunk do not matter the other way round", () => {
  const v1 = digest(patch(["+\tn = pin_user_pages_fast(addr, nr, FOLL_WRITE, pages);", "+\tput_page(pages[0]);"]));
  const rewrapped = digest(patch(["+        n = pin_user_pages_fast(addr, nr,", "+\t\t\t\tFOLL_WRITE, pages);", "+\tput_page( pages[0] );"]));
  const otherHunk = digest(patch(["+\tn = pin_user_pages_fast(addr, nr, FOLL_WRITE, pages);", "+\tput_page(pages[0]);"], "+long unrelated;"));
  const changed = digest(patch(["+\tn = pin_user_pages_fast(addr, nr, FOLL_WRITE, pages);", "+\tunpin_user_page(pages[0]);"]));
  assert.ok(v1);
  assert.equal(rewrapped, v1);
  assert.equal(otherHunk, v1, "a hunk that touches no GUP/pin code is not part of it");
  assert.notEqual(changed, v1);
  assert.equal(gupDigest(parsePatch(patch(["+\tn = pin_user_pages_fast(addr, nr, FOLL_WRITE, pages);"])), ["drivers/a.c"]), undefined, "excluded paths do not count");
  assert.equal(gupHunksUnchanged(rewrapped, { gupDigest: v1 }), true);
  assert.equal(gupHunksUnchanged(undefined, { gupDigest: undefined }), false, "no GUP hunks on either side is not 'unchanged'");
});
