// R14: GUP may return fewer pages than asked for (and pin_user_pages()
// returns 0 on bad arguments). Two visible shapes:
// - the result is only checked for errors (ret < 0) and then all nr_pages
//   entries are used, as if every page had been obtained;
// - a failure branch that tests the result releases nr_pages entries (more
//   than were obtained) instead of ret.
import type { CallFact, FileFacts } from "../analysis/facts.js";
import { pagesArgument } from "../analysis/page-origins.js";
import { ACQUIRE, RELEASE } from "../diff/gup-symbols.js";
import { CASE_URL, type FileContext, type Rule } from "./types.js";
import { escapeRegExp, mentions } from "./utils/names.js";

/** "ret < 0", "ret <= 0", "!ret", "ret == 0", "IS_ERR_VALUE(ret)", "unlikely(ret < 0)": only the error case. */
function errorOnlyTest(condition: string, result: string): boolean {
  const c = condition.replace(/^\(|\)$/g, "").replace(/^(unlikely|likely|WARN_ON(_ONCE)?)\s*\((.*)\)$/, "$3").trim();
  const r = escapeRegExp(result);
  return new RegExp(`^(\\(?\\s*${r}\\s*(<|<=|==)\\s*0\\s*\\)?|!\\s*${r}|IS_ERR_VALUE\\(\\s*${r}\\s*\\))$`).test(c);
}

interface Acquisition {
  call: CallFact;
  result: string;
  count: string;
  pages: string;
}

function acquisitions(file: FileContext): Acquisition[] {
  const out: Acquisition[] = [];
  for (const call of file.newCalls) {
    const spec = ACQUIRE[call.name];
    const countPos = spec?.countArg?.[call.args.length];
    const pagesPos = pagesArgument(call);
    if (!spec || countPos === undefined || pagesPos === undefined || !call.assignedTo) continue;
    const count = call.args[countPos]?.trim();
    const pages = call.argRoots[pagesPos];
    // A single page checked with "!= 1" is the normal, complete check.
    if (!count || !pages || /^\d+$/.test(count) || pages === "NULL") continue;
    out.push({ call, result: call.assignedTo, count, pages });
  }
  return out;
}

/** Every test of the result between the acquisition and `order` only looks for errors. */
function onlyErrorChecks(facts: FileFacts, a: Acquisition, before: number): { ok: boolean; checked: boolean } {
  const tests = [
    ...facts.exits.filter((x) => x.side === "new" && x.fn === a.call.fn && x.order > a.call.order && x.order < before).flatMap((x) => x.conditions),
  ].filter((c) => mentions(c.text, a.result));
  return { ok: tests.every((c) => errorOnlyTest(c.text, a.result)), checked: tests.length > 0 };
}

/** The count or the result is reassigned (nr_pages = ret) before `order`. */
function reassigned(facts: FileFacts, a: Acquisition, before: number): boolean {
  return facts.assigns.some(
    (x) => x.side === "new" && x.fn === a.call.fn && x.order > a.call.order && x.order < before && (x.lhs === a.count || x.lhs === a.result),
  );
}

/**
 * "if (ret > 0) goto done;" and then ret used as an index ("nums[ret]") or a
 * loop bound ("ret < nr") before anything assigns it: the failure value
 * (0 or -errno) flows into the fallback.
 */
function failureReused(file: FileContext, a: Acquisition): { exitLine: string | number; use: string; line: CallFact["line"] } | undefined {
  const { facts } = file;
  if (a.call.line.status !== "add") return undefined;
  const r = escapeRegExp(a.result);
  const successExit = facts.exits.find(
    (x) => x.side === "new" && x.fn === a.call.fn && x.order > a.call.order && x.line.hunk === a.call.line.hunk &&
      x.conditions.length > 0 && new RegExp(`^\\(?\\s*${r}\\s*>\\s*0\\s*\\)?$`).test(x.conditions[0]!.text),
  );
  if (!successExit) return undefined;
  const asIndex = new RegExp(`\\[\\s*${r}\\s*\\]`);
  const asBound = new RegExp(`(?<![\\w>.])${r}\\s*(<|<=)\\s*\\w`);
  for (const c of file.newCalls) {
    if (c.fn !== a.call.fn || c.order <= successExit.order || c.line.hunk !== a.call.line.hunk) continue;
    if (c.conditions.some((k) => mentions(k.text, a.result))) continue;
    const use = c.args.find((arg) => asIndex.test(arg)) ?? c.loopConditions.find((cond) => asBound.test(cond));
    if (!use) continue;
    const reset = facts.assigns.some((x) => x.side === "new" && x.fn === a.call.fn && x.lhs === a.result && x.order > successExit.order && x.order < c.order);
    if (reset) return undefined;
    return { exitLine: successExit.line.newLine ?? "?", use, line: c.line };
  }
  return undefined;
}

export const partialPinReturn: Rule = {
  meta: {
    id: "partial-pin-return",
    category: "partial-pin",
    severity: "error",
    cases: [],
    description: "A short GUP return treated as complete, or a failure branch that releases more pages than were obtained.",
    citation: { title: "pin_user_pages.rst: Which flags are set by each wrapper (and the GUP return convention)", url: CASE_URL.flags },
    messages: {
      shortTreatedAsFull:
        "{{acquire}}() can return fewer than {{count}} pages (a positive, partial count), but only the error case " +
        "of {{result}} is checked before all {{count}} entries of {{pages}} are used here. Please handle " +
        "0 < {{result}} < {{count}}: release the {{result}} pages obtained and fail, or carry on with {{result}}.",
      failureReused:
        "When {{acquire}}() does not succeed, {{result}} is 0 or a negative errno, and only the success case " +
        "(line {{exitLine}}) leaves. The code after it uses {{result}} as a count or an index ({{use}}) without " +
        "resetting it, so a failed {{acquire}}() carries an error code into the fallback. Please reset " +
        "{{result}} (or use another variable) before reusing it.",
      overRelease:
        "This branch runs when {{acquire}}() did not return {{count}} pages, but it releases {{count}} entries of " +
        "{{pages}}. Only {{result}} pages were obtained (and {{result}} may be negative): release exactly the " +
        "{{result}} pages that were, and only when {{result}} > 0.",
    },
  },
  check(context) {
    for (const file of context.files) {
      const { facts } = file;
      for (const a of acquisitions(file)) {
        const sameFn = file.newCalls.filter((c) => c.fn === a.call.fn && c.order > a.call.order && c.line.hunk === a.call.line.hunk);
        // Over-release: a release of count entries under a test of the result.
        const over = sameFn.find((c) => {
          const spec = RELEASE[c.name];
          if (!spec?.array || spec.countArg === undefined || c.argRoots[spec.arg] !== a.pages) return false;
          return c.args[spec.countArg]?.trim() === a.count && c.conditions.some((k) => mentions(k.text, a.result)) && !reassigned(facts, a, c.order);
        });
        if (over && (over.line.status === "add" || a.call.line.status === "add")) {
          context.report({
            messageId: "overRelease",
            data: { acquire: a.call.name, count: a.count, pages: a.pages, result: a.result },
            file: facts.path, line: over.line.status === "add" ? over.line : a.call.line, function: a.call.fn, related: [a.call.line, over.line],
          });
          continue;
        }
        // A failed result carried into the fallback path as a count or index.
        const reused = failureReused(file, a);
        if (reused) {
          context.report({
            messageId: "failureReused",
            data: { acquire: a.call.name, result: a.result, exitLine: reused.exitLine, use: reused.use },
            file: facts.path, line: a.call.line, function: a.call.fn, related: [a.call.line, reused.line],
          });
          continue;
        }
        // Short treated as full: a loop bounded by count that reads pages[i], after error-only checks.
        const use = sameFn.find(
          (c) => c.argRoots.includes(a.pages) && !RELEASE[c.name] && c.loopConditions.length > 0 &&
            mentions(c.loopConditions[0]!, a.count) && !mentions(c.loopConditions[0]!, a.result),
        );
        if (!use) continue;
        const checks = onlyErrorChecks(facts, a, use.order);
        if (!checks.checked || !checks.ok || reassigned(facts, a, use.order)) continue;
        if (use.line.status !== "add" && a.call.line.status !== "add") continue;
        context.report({
          messageId: "shortTreatedAsFull",
          data: { acquire: a.call.name, count: a.count, pages: a.pages, result: a.result },
          file: facts.path, line: a.call.line.status === "add" ? a.call.line : use.line, function: a.call.fn, related: [a.call.line, use.line],
        });
      }
    }
  },
};
