// The return convention of the GUP calls: a count that can be short of what
// was asked for, zero, or a negative errno. On the paths where the engine
// knows the result was short (the `ret != n` side of a test), releasing the
// requested count over-releases; where a short or zero result is still
// possible, using every requested entry reads entries GUP never filled; a
// result that may be negative must not be used as an index or a count; and a
// result stored in an unsigned variable loses its error.
import { lineOf } from "../analysis/analyse-patch.js";
import { recountFact, type FunctionAnalysis } from "../analysis/engine.js";
import { FULL, NEG, SHORT, ZERO } from "../analysis/values.js";
import type { Candidate, Rule, RuleContext } from "./types.js";
import { byNode, callName, everyPath, groupBy, nodeText } from "./utils/observations.js";

/** The innermost loop's bound at a node. */
function loopBound(fn: FunctionAnalysis, node: number): string | undefined {
  const loops = fn.cfg.nodes[node]?.loops ?? [];
  const inner = loops[loops.length - 1];
  return inner === undefined ? undefined : fn.loopBounds.get(inner);
}

export const partialPinReturn: Rule = {
  meta: {
    id: "partial-pin-return",
    category: "partial-pin",
    severity: "error",
    cases: [],
    description: "A short, zero or negative GUP result handled as if it were the full count.",
    citation: {
      title: "mm/gup.c: pin_user_pages_fast() kernel-doc (returns the number pinned, which may be fewer than requested, or -errno)",
      url: "https://docs.kernel.org/core-api/mm-api.html#c.pin_user_pages_fast",
    },
    messages: {
      overRelease:
        "This runs when {{acquire}} did not return all {{count}} pages, but it releases {{count}} entries of " +
        "{{pages}}. Only the pages that were obtained (the positive result, if any) may be released here.",
      shortTreatedAsFull:
        "{{acquire}} can return fewer than {{count}} pages (a positive, partial count) or zero, but the loop here " +
        "uses all {{count}} entries of {{pages}} with only the error case checked. Please handle a short result: " +
        "release what was obtained and fail, or carry on with the number obtained.",
      negativeUsed:
        "{{result}} may still hold the negative errno {{acquire}} returned when `{{useText}}` (line {{useLine}}) " +
        "{{use}}; a failed call carries its error code into the count. Please handle the error (or reset {{result}}) " +
        "before that use.",
      capacityCount:
        "{{acquire}} is asked for {{count}} pages, the size of the array, not the number of pages the user buffer " +
        "spans: it also pins whatever is mapped past the end of the buffer (and comes back short where nothing is), " +
        "and those extra pages are not part of the I/O. Please compute the count from the buffer's address and length.",
      truncated:
        "{{acquire}} returns a count or a negative errno, but {{result}} is {{type}}, so an error becomes a huge " +
        "positive count and a test for a negative value can never be true. Please keep the result in a signed " +
        "variable (long or ssize_t) and check it before using it.",
    },
  },
  check(fn: FunctionAnalysis, _context: RuleContext): Candidate[] {
    const out: Candidate[] = [];
    // Releasing the requested count on the short side of a test.
    for (const [node, list] of byNode(fn, "release")) {
      const bound = loopBound(fn, node);
      for (const group of groupBy(list, (o) => `${o.obj}:${o.st.jump}`).values()) {
        const first = group[0]!;
        if (first.obj === undefined) continue;
        const bad = group.every((o) => {
          const obj = o.st.obj(o.obj!);
          if (!obj || obj.site.single || obj.site.countIsLimit || !obj.site.count || obj.status !== "held") return false;
          const short = (obj.outcome & SHORT) !== 0 && (obj.outcome & FULL) === 0;
          const count = o.elementwise ? bound : o.count;
          return short && count === obj.site.count && !o.st.facts.get(recountFact(o.obj!));
        });
        if (!bad) continue;
        const site = first.st.obj(first.obj)!.site;
        out.push({
          messageId: "overRelease",
          data: { acquire: callName(site), count: site.count!, pages: site.key ?? "the array" },
          anchors: [node, first.st.jump ?? node], related: [site.node],
          key: `over|${site.call}|${site.key}|${nodeText(fn, node)}`,
        });
      }
    }
    // Every requested entry used while a short result is still possible.
    for (const [node, list] of byNode(fn, "element")) {
      const bound = loopBound(fn, node);
      for (const group of groupBy(list, (o) => o.obj).values()) {
        const first = group[0]!;
        const site = first.st.obj(first.obj)?.site;
        if (!site || site.single || site.countIsLimit || !site.count || bound !== site.count) continue;
        const bad = group.every((o) => {
          const obj = o.st.obj(o.obj);
          return !!obj && obj.status === "held" && (obj.outcome & NEG) === 0 && (obj.outcome & (SHORT | ZERO)) !== 0 && (obj.outcome & FULL) !== 0 && !o.st.facts.get(recountFact(o.obj));
        });
        if (!bad || !everyPath(fn, node, group)) continue;
        out.push({
          messageId: "shortTreatedAsFull",
          data: { acquire: callName(site), count: site.count, pages: site.key ?? "the array" },
          anchors: [node, site.node], related: [site.node],
          key: `short|${site.call}|${site.key}|${nodeText(fn, node)}`,
        });
      }
    }
    // A result that may be negative used as an index or a count.
    for (const [node, list] of byNode(fn, "count-use")) {
      for (const group of groupBy(list, (o) => o.obj).values()) {
        const first = group[0]!;
        const site = first.st.obj(first.obj)?.site;
        if (!site) continue;
        const result = site.resultKey ?? "the result";
        out.push({
          messageId: "negativeUsed",
          data: {
            acquire: callName(site), result,
            use: first.how === "index" ? `indexes an array with it` : "passes it as the count",
            // The use may be context the anchor cannot sit on: the message names it.
            useText: clip(lineOf(fn, node)?.text.trim() ?? nodeText(fn, node)), useLine: lineOf(fn, node)?.newLine ?? lineOf(fn, node)?.oldLine ?? "?",
          },
          anchors: [node, site.node], related: [node, site.node],
          key: `negative|${site.call}|${nodeText(fn, node)}`,
        });
      }
    }
    // A count that is the array's capacity rather than the buffer's extent.
    for (const [node, list] of byNode(fn, "acquire")) {
      const site = list[0]!.site;
      if (!site.capacity || site.countIsLimit || site.count !== site.capacity || site.single || Number.isFinite(Number(site.count))) continue;
      out.push({
        messageId: "capacityCount",
        data: { acquire: callName(site), count: site.count },
        anchors: [node], key: `capacity|${site.call}|${site.count}`,
      });
    }
    // The result kept in an unsigned variable.
    for (const [node, list] of byNode(fn, "truncate")) {
      const first = list[0]!;
      const obj = first.st.obj(first.obj);
      if (!obj || (obj.outcome & NEG) === 0 || !list.every((o) => (o.st.obj(o.obj)?.outcome ?? 0) & NEG)) continue;
      out.push({
        messageId: "truncated",
        data: { acquire: callName(obj.site), result: first.key ?? obj.site.resultKey ?? "the result", type: first.type },
        anchors: [node, obj.site.node], related: [obj.site.node],
        key: `truncated|${obj.site.call}|${first.key ?? ""}`,
      });
    }
    return out;
  },
};

/** A statement short enough to quote inside a sentence. */
function clip(text: string): string {
  return text.length <= 60 ? text : `${text.slice(0, 57)}...`;
}
