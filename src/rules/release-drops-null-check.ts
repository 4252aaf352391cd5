// Releasing an array that is NULL, or NULL entries, where the release does
// not allow for it: reported where the path knows the array is NULL (its
// allocation failed on the way here), or where the old code skipped NULL
// entries before releasing and the batched release that replaces it does not
// skip them in the tree the patch targets.
import { lineOf } from "../analysis/analyse-patch.js";
import type { FunctionAnalysis } from "../analysis/engine.js";
import { callsIn } from "../analysis/engine.js";
import { exprText, keyOf, stripCasts, type Val } from "../analysis/values.js";
import { apiRow, argIndex } from "../api/catalog.js";
import { reached } from "../api/era.js";
import type { Candidate, Rule, RuleContext } from "./types.js";
import { byNode, everyPath, groupBy } from "./utils/observations.js";

export const releaseDropsNullCheck: Rule = {
  meta: {
    id: "release-drops-null-check",
    category: "partial-pin",
    severity: "error",
    cases: [],
    description: "An array released while it is NULL, or NULL entries given to a release that does not skip them.",
    citation: {
      title: "mm/gup.c: unpin_user_pages() kernel-doc",
      url: "https://docs.kernel.org/core-api/mm-api.html#c.unpin_user_pages",
    },
    messages: {
      arrayCheckDropped:
        "The release this replaces checked {{array}} for NULL first (it is not allocated on every path that reaches " +
        "here), but {{release}}({{array}}, ...) walks the array unconditionally. Please keep the check, or make sure " +
        "the count is 0 whenever {{array}} is NULL.",
      arrayNull:
        "On this path {{array}} is NULL (its allocation failed, line {{nullLine}}), but {{release}}({{array}}, ...) " +
        "walks the array. Please skip the release when {{array}} was never allocated, or make sure the count is 0 then.",
      slotNull:
        "The code this replaces skipped NULL entries of {{array}} (slots that a failed or partial acquisition never " +
        "filled), but {{release}}() does not skip NULL entries in this tree. Please release only the entries that " +
        "were filled, or keep the NULL check.",
    },
  },
  check(fn: FunctionAnalysis, context: RuleContext): Candidate[] {
    const out: Candidate[] = [];
    for (const [node, list] of byNode(fn, "release")) {
      for (const group of groupBy(list, (o) => `${o.targetKey}:${o.st.jump}`).values()) {
        const first = group[0]!;
        const key = first.targetKey;
        if (!key || first.release.shape !== "array") continue;
        // The array itself is NULL on every path through this jump.
        if (group.every((o) => o.st.nulls.has(key) && o.count !== "0")) {
          out.push({
            messageId: "arrayNull",
            data: { array: key, release: first.call, nullLine: nullTest(fn, key) ?? "?" },
            anchors: [node, first.st.jump ?? node], key: `null-array|${key}|${first.call}`,
          });
        }
      }
      if (context.side !== "new") continue;
      const first = list[0]!;
      const key = first.targetKey;
      const old = context.file.functions.old.find((f) => f.view.name === fn.view.name);
      // A NULL test of the array the old release had and this one dropped.
      if (key && old && first.release.shape === "array" && guardsArray(old, key) && !dominatedByNullTest(fn, key, node) && list.some((o) => mayBeNull(o.target)) && everyPath(fn, node, list)) {
        out.push({ messageId: "arrayCheckDropped", data: { array: key, release: first.call }, anchors: [node], key: `null-array-dropped|${key}|${first.call}` });
        continue;
      }
      // NULL entries the old code skipped.
      const since = first.row.release?.skipsNullEntriesSince;
      if (!key || first.release.shape !== "array" || (since && reached(context.era, since)) || !everyPath(fn, node, list)) continue;
      if (!old || !skipsNullEntries(old, key)) continue;
      if (skipsNullEntries(fn, key)) continue;
      out.push({ messageId: "slotNull", data: { array: key, release: first.call }, anchors: [node], key: `null-slots|${key}|${first.call}` });
    }
    return out;
  },
};

/** The function releases entries of `array` one by one only after testing each for NULL. */
function skipsNullEntries(fn: FunctionAnalysis, array: string): boolean {
  for (const n of fn.cfg.nodes) {
    if (n.kind !== "test" || !n.expr) continue;
    const tested = stripCasts(n.expr.k === "binary" ? n.expr.left : n.expr);
    if (tested.k !== "index" || keyOf(tested.base) !== array) continue;
    // The NULL test guards a release of the same entry further on.
    const entry = exprText(tested);
    const guarded = fn.cfg.nodes.some((m) => m.id > n.id && m.loops.join() === n.loops.join() && callsIn(m.expr).some((c) => {
      const row = c.fn ? apiRow(c.fn) : undefined;
      const at = row?.release ? argIndex(row.release.target, c.args.length) : undefined;
      return at !== undefined && exprText(c.args[at]) === entry;
    }));
    if (guarded) return true;
  }
  return false;
}

/** A test that `array` is non-NULL guards a release of it (or its entries) directly: nothing but tests in between. */
function guardsArray(fn: FunctionAnalysis, array: string): boolean {
  const releases = (node: number) => callsIn(fn.cfg.nodes[node]?.expr).some((c) => {
    const row = c.fn ? apiRow(c.fn) : undefined;
    const at = row?.release ? argIndex(row.release.target, c.args.length) : undefined;
    if (at === undefined) return false;
    const arg = stripCasts(c.args[at]!);
    return keyOf(arg) === array || (arg.k === "index" && keyOf(arg.base) === array);
  });
  for (const t of fn.cfg.nodes) {
    if (t.kind !== "test" || !t.expr || keyOf(stripCasts(t.expr)) !== array) continue;
    // From the non-NULL side, through joins and other tests only, to the release.
    const seen = new Set<number>();
    const work = [t.succ[0]!];
    while (work.length > 0) {
      const id = work.pop()!;
      if (seen.has(id) || seen.size > 16) continue;
      seen.add(id);
      const n = fn.cfg.nodes[id]!;
      if (releases(id)) return true;
      if (n.kind === "join" || n.kind === "label") work.push(n.succ[0]!);
      else if (n.kind === "test") work.push(n.succ[0]!);
    }
  }
  return false;
}

/** Every path to `node` passes the non-NULL side of a test of `array`. */
function dominatedByNullTest(fn: FunctionAnalysis, array: string, node: number): boolean {
  const tests = fn.cfg.nodes.filter((t) => t.kind === "test" && t.expr && keyOf(stripCasts(t.expr)) === array);
  if (tests.length === 0) return false;
  // Reach `node` from the entry without taking any of those tests' true edges.
  const seen = new Set<number>([fn.cfg.entry]);
  const work = [fn.cfg.entry];
  while (work.length > 0) {
    const id = work.pop()!;
    if (id === node) return false;
    const n = fn.cfg.nodes[id]!;
    n.succ.forEach((next, i) => {
      if (i === 0 && tests.includes(n)) return;
      if (!seen.has(next)) {
        seen.add(next);
        work.push(next);
      }
    });
  }
  return true;
}

/** The value may be NULL: not an acquisition's result known to have succeeded. */
function mayBeNull(v: Val | undefined): boolean {
  return !v || (v.t !== "arr" && v.t !== "page") || false;
}

/** Where the array was found NULL (the test that sent the path here). */
function nullTest(fn: FunctionAnalysis, array: string): number | string | undefined {
  const test = fn.cfg.nodes.find((n) => n.kind === "test" && n.expr && keyOf(stripCasts(n.expr)) === array);
  return test ? lineOf(fn, test.id)?.newLine : undefined;
}
