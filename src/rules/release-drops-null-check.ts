// R14/R15 on conversions: an open-coded release loop that skipped NULL (the
// array not allocated yet, or slots a failed acquisition never filled) is
// replaced by a batched release helper that does not. The removed lines are
// the evidence: they show the NULL case happens on this path.
import type { CallFact, FileFacts } from "../analysis/facts.js";
import { RELEASE } from "../diff/gup-symbols.js";
import { type Rule } from "./types.js";
import { escapeRegExp } from "./utils/names.js";

/** unpin_user_pages() skips NULL slots since v6.10 ("mm/gup: handle NULL pages in unpin_user_pages()", spring 2024). */
const UNPIN_SKIPS_NULL_SINCE = Date.UTC(2024, 3, 1);

/** Does a condition only let non-NULL values of `expr` through? */
function testsNonNull(condition: string, expr: RegExp): boolean {
  return condition.split(/&&/).some((part) => {
    const p = part.trim().replace(/^\(+|\)+$/g, "").trim();
    return new RegExp(`^${expr.source}$`).test(p) || new RegExp(`^${expr.source}\\s*!=\\s*NULL$`).test(p);
  });
}

/** Does a condition (on an early exit) catch the NULL case of `expr`? */
function testsNull(condition: string, expr: RegExp): boolean {
  return condition.split(/\|\|/).some((part) => {
    const p = part.trim().replace(/^\(+|\)+$/g, "").trim();
    return new RegExp(`^!\\s*${expr.source}$`).test(p) || new RegExp(`^${expr.source}\\s*==\\s*NULL$`).test(p);
  });
}

type Guard = "array" | "slot";

/** The NULL guards an old-side release had, on its array or on each slot. */
function oldGuards(call: CallFact, root: string): Set<Guard> {
  const array = new RegExp(escapeRegExp(root));
  const slot = new RegExp(`${escapeRegExp(root)}\\s*\\[\\s*\\w+\\s*\\]`);
  const guards = new Set<Guard>();
  for (const c of [...call.conditions.filter((x) => x.branch === "then").map((x) => x.text), ...call.loopConditions]) {
    if (testsNonNull(c, array)) guards.add("array");
    if (testsNonNull(c, slot)) guards.add("slot");
  }
  return guards;
}

/** The new side still protects the batched call from a NULL array. */
function newArrayGuard(facts: FileFacts, call: CallFact, root: string): boolean {
  const array = new RegExp(escapeRegExp(root));
  if ([...call.conditions.map((c) => c.text), ...call.loopConditions].some((c) => testsNonNull(c, array))) return true;
  return facts.exits.some(
    (x) => x.side === "new" && x.fn === call.fn && x.order < call.order && x.conditions.some((c) => testsNull(c.text, array)),
  );
}

function skipsNullSlots(helper: string, date: Date | undefined): boolean {
  if (helper === "unpin_user_pages" || helper === "unpin_user_pages_dirty_lock") {
    return !date || date.getTime() >= UNPIN_SKIPS_NULL_SINCE;
  }
  return false;
}

export const releaseDropsNullCheck: Rule = {
  meta: {
    id: "release-drops-null-check",
    category: "partial-pin",
    severity: "error",
    cases: [],
    description: "A release loop that skipped NULL pages is replaced by a batched helper that does not.",
    citation: {
      title: "mm/gup.c: unpin_user_pages() kernel-doc",
      url: "https://docs.kernel.org/core-api/mm-api.html#c.unpin_user_pages",
    },
    messages: {
      arrayNull:
        "The loop this replaces checked {{array}} for NULL before releasing (the array is not allocated on every " +
        "path that reaches here), but {{helper}}({{array}}, ...) dereferences it unconditionally. Please keep the " +
        "check, or make sure the count is 0 whenever {{array}} is NULL.",
      slotNull:
        "The loop this replaces skipped NULL entries of {{array}} (slots that a failed or partial acquisition never " +
        "filled), but {{helper}}() does not skip them. Please release only the entries that were filled, or keep the " +
        "NULL check.",
    },
  },
  check(context) {
    for (const file of context.files) {
      const { facts } = file;
      for (const call of file.newCalls) {
        const spec = RELEASE[call.name];
        if (!spec?.array || call.line.status !== "add") continue;
        const root = call.argRoots[spec.arg];
        if (!root) continue;
        // The removed release of the same pages in the same function, and the NULL guards it had.
        const removed = facts.calls.filter(
          (c) => c.side === "old" && c.line.status === "del" && c.fn === call.fn && RELEASE[c.name] && c.argRoots[RELEASE[c.name]!.arg] === root,
        );
        const guards = new Set(removed.flatMap((c) => [...oldGuards(c, root)]));
        if (guards.has("array") && !newArrayGuard(facts, call, root)) {
          context.report({
            messageId: "arrayNull",
            data: { array: call.args[spec.arg] ?? root, helper: call.name },
            file: facts.path, line: call.line, function: call.fn, related: removed.map((c) => c.line),
          });
        } else if (guards.has("slot") && !skipsNullSlots(call.name, context.target.date)) {
          // Possibly defensive: the callers may never leave a slot empty, so a warning, not an error.
          context.report({
            messageId: "slotNull",
            severity: "warning",
            data: { array: call.args[spec.arg] ?? root, helper: call.name },
            file: facts.path, line: call.line, function: call.fn, related: removed.map((c) => c.line),
          });
        }
      }
    }
  },
};
