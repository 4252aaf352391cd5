// C facts from diff hunks. A hunk whose text was seen before (the next
// version of a series) reuses its parse: its facts must still be this
// hunk's own, with its line numbers, its loops and its place in the order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { initCParser } from "../../src/analysis/c-parser.js";
import { collectFileFacts } from "../../src/analysis/facts.js";
import { parsePatch } from "../../src/diff/parse-patch.js";

const LOOP_HUNK = [
  " \tfor (i = 0; i < n; i++) {",
  "-\t\tret = get_user_pages(addr, 1, 0, &pages[i]);",
  "+\t\tret = pin_user_pages(addr, 1, FOLL_WRITE, &pages[i]);",
  " \t}",
];

function patch(file: string, hunks: { at: number; lines: string[] }[]): string {
  const body = hunks.map(({ at, lines }) => {
    const old = lines.filter((l) => !l.startsWith("+")).length;
    const fresh = lines.filter((l) => !l.startsWith("-")).length;
    return [`@@ -${at},${old} +${at},${fresh} @@ static int pin_them(void)`, ...lines].join("\n");
  });
  return [`diff --git a/${file} b/${file}`, `--- a/${file}`, `+++ b/${file}`, ...body, ""].join("\n");
}

test("a hunk seen before gets facts of its own: line numbers, loop and order follow the hunk", async () => {
  await initCParser();
  const [first] = parsePatch(patch("mm/a.c", [{ at: 10, lines: LOOP_HUNK }]));
  const [second] = parsePatch(patch("mm/b.c", [{ at: 3, lines: [" \tlock(m);", "+\tprepare(m);", " \tcount = 0;"] }, { at: 200, lines: LOOP_HUNK }]));
  const a = collectFileFacts(first!);
  const b = collectFileFacts(second!);

  const pinA = a.calls.find((c) => c.side === "new" && c.name === "pin_user_pages")!;
  const pinB = b.calls.find((c) => c.side === "new" && c.name === "pin_user_pages")!;
  assert.deepEqual(pinA.line, { hunk: 0, status: "add", newLine: 11, oldLine: undefined, text: LOOP_HUNK[2]!.slice(1) });
  assert.deepEqual(pinB.line, { hunk: 1, status: "add", newLine: 201, oldLine: undefined, text: LOOP_HUNK[2]!.slice(1) });
  assert.equal(pinA.loop, "new:0:0");
  assert.equal(pinB.loop, "new:1:0");
  assert.equal(pinA.fn, "pin_them");
  assert.deepEqual(pinB.args, pinA.args);
  // After the first hunk's calls on the same side.
  const prepare = b.calls.find((c) => c.side === "new" && c.name === "prepare")!;
  assert.ok(pinB.order > prepare.order);
  assert.equal(new Set(b.calls.filter((c) => c.side === "new").map((c) => c.order)).size, b.calls.filter((c) => c.side === "new").length);

  // The old side of the same hunk is its own text.
  const gupB = b.calls.find((c) => c.side === "old" && c.name === "get_user_pages")!;
  assert.deepEqual(gupB.line, { hunk: 1, status: "del", newLine: undefined, oldLine: 201, text: LOOP_HUNK[1]!.slice(1) });
  assert.equal(gupB.loop, "old:1:0");

  // Collecting again gives the same facts.
  assert.deepEqual(collectFileFacts(second!), b);
});
