// The contract: what a call took is released the way it took it (a pin
// with an unpin, a reference with a put), and exactly the page that was
// taken is given back. Reported where, on every path to a release, the pages
// come from one acquisition whose mode the release does not match, or where
// a different page derived from a pinned one (its head page, another page of
// its folio) is unpinned or handed back for unpinning in its place.
import { releaseMatches } from "../api/catalog.js";
import { lineOf } from "../analysis/analyse-patch.js";
import type { FunctionAnalysis } from "../analysis/engine.js";
import { slotOf } from "../analysis/field-slots.js";
import type { Candidate, Rule, RuleContext } from "./types.js";
import { CASE_URL } from "./types.js";
import { byNode, callName, everyPath, groupBy, modeWord, nodeText, releaseAdvice } from "./utils/observations.js";

export const releaseMismatch: Rule = {
  meta: {
    id: "release-mismatch",
    category: "release-mismatch",
    severity: "error",
    cases: ["basics"],
    description: "Pages released differently from how they were taken (a pin with a put, a reference with an unpin), or a different page unpinned than the one pinned.",
    citation: { title: "pin_user_pages.rst: Basic description of FOLL_PIN", url: CASE_URL.basics },
    messages: {
      modeMismatch:
        "The pages in {{pages}} come from {{acquire}}, which {{mode}}, but {{release}}() releases them as {{kind}}. " +
        "Pins and references are counted differently, so this corrupts the page's count{{advice}}.",
      extractPut:
        "The pages in {{pages}} come from {{acquire}}, which pins the pages of a user-backed iterator and takes " +
        "nothing for a kernel-backed one, but {{release}}() drops a reference. Release them with an unpin only " +
        "when iov_iter_extract_will_pin() says they were pinned, and do nothing otherwise.",
      extractKernelUnpinned:
        "On this path the iterator is kernel-backed, so {{acquire}} took nothing on the pages in {{pages}}, but " +
        "{{release}}() unpins them.",
      slotModeMismatch:
        "The pages in {{pages}} are filled by {{acquire}} in {{filler}}(), which {{mode}}, but {{release}}() " +
        "releases them as {{kind}}. Pins and references are counted differently, so this corrupts the page's " +
        "count{{advice}}.",
      derivedReleased:
        "{{release}}() is given {{what}} of a page that {{acquire}} pinned, not the pinned page itself. An unpin " +
        "must get exactly the pages that were pinned; for a tail page the head is a different page and the pin " +
        "accounting goes wrong{{advice}}.",
      derivedHandedBack:
        "This stores {{what}} of a pinned page in the array that is handed back through {{pages}} (line " +
        "{{storeLine}}) to be unpinned later, in place of the page that was pinned. An unpin must get exactly the " +
        "pages that were pinned; for a tail page the head is a different page{{advice}}.",
    },
  },
  check(fn: FunctionAnalysis, context: RuleContext): Candidate[] {
    const out: Candidate[] = [];
    const used = context.analysis.usedNames;
    for (const [node, list] of byNode(fn, "release")) {
      for (const group of groupBy(list.filter((o) => o.obj !== undefined), (o) => o.obj).values()) {
        const first = group[0]!;
        const obj = first.st.obj(first.obj!);
        if (!obj || !everyPath(fn, node, group)) continue;
        const site = obj.site;
        const kind = first.release.kind;
        const pages = site.key ?? "these pages";
        // The mode the pages were taken in, against the release's kind.
        if (!site.inferred && group.every((o) => o.release.kind === kind && !o.st.obj(o.obj!)?.extraRef) && !dispatchedByTest(fn, group, first.obj!, kind)) {
          if (site.mode === "extract") {
            if (kind === "put" && group.every((o) => o.st.obj(o.obj!)?.willPin !== false)) {
              out.push({ messageId: "extractPut", data: { pages, acquire: callName(site), release: first.call }, anchors: [node], related: [site.node], key: `extract-put|${site.call}|${pages}|${first.call}` });
              continue;
            }
            if (kind === "unpin" && group.every((o) => o.st.obj(o.obj!)?.willPin === false)) {
              out.push({ messageId: "extractKernelUnpinned", data: { pages, acquire: callName(site), release: first.call }, anchors: [node], related: [site.node], key: `extract-kernel|${site.call}|${pages}|${first.call}` });
              continue;
            }
          } else if (!releaseMatches(site.mode, kind)) {
            const advice = releaseAdvice(site.mode, site.single ? "page" : "array", context.era, used);
            out.push({
              messageId: "modeMismatch",
              data: { pages, acquire: callName(site), mode: modeWord(site.mode), release: first.call, kind: kind === "put" ? "references" : "pins", advice: advice ? `; use ${advice}` : "" },
              anchors: [node], related: [site.node], key: `mode|${site.call}|${pages}|${first.call}`,
            });
            continue;
          }
        }
        // A page derived from a pinned one, given to a page-exact unpin.
        const target = first.target;
        const pageExact = first.release.kind === "unpin" || first.release.kind === "put-user-page";
        const mode = site.inferred ? fn.inferredModes.get(site.id) : site.mode;
        if (mode && mode !== "get" && pageExact && target && group.every((o) => sameDerivation(o.target, target))) {
          const derived = target.t === "page" ? target.rel : target.t === "arr" ? target.derived : undefined;
          if (derived === "head" || derived === "nth") {
            const advice = releaseAdvice("pin-folio", "page", context.era, used);
            out.push({
              messageId: "derivedReleased",
              data: { release: first.call, what: derived === "head" ? "the head page" : "another page", acquire: callName(site), advice: advice ? `; to drop pins by folio use ${advice}` : "" },
              anchors: [node], related: [site.node], key: `derived-release|${site.call}|${first.call}|${derived}`,
            });
          }
        }
      }
    }
    out.push(...slotMismatches(fn, context));
    // An array holding a derived page, handed back or stored for a later unpin.
    for (const [node, list] of byNode(fn, "store")) {
      const first = list[0]!;
      const v = first.val;
      if (v.t !== "arr" || !v.derived || !list.every((o) => o.val.t === "arr" && o.val.derived === v.derived)) continue;
      const obj = first.st.obj(v.obj);
      const mode = obj?.site.inferred ? fn.inferredModes.get(obj.site.id) : obj?.site.mode;
      if (!obj || !mode || mode === "get" || !everyPath(fn, node, list)) continue;
      const advice = releaseAdvice("pin-folio", "page", context.era, used);
      out.push({
        messageId: "derivedHandedBack",
        data: { pages: first.key, what: v.derived === "head" ? "the head page" : "another page", storeLine: lineOf(fn, node)?.newLine ?? "?", advice: advice ? `; to drop pins by folio use ${advice}` : "" },
        anchors: v.derivedAt === undefined ? [node] : [v.derivedAt, node], related: [node],
        key: `derived-handback|${obj.site.call}|${v.derived}|${first.key}`,
      });
    }
    return out;
  },
};

/**
 * Pages released from a struct member whose origin this function does not
 * see: the patch's other functions fill that member. Reported only when every
 * visible fill takes the pages one way and every release of the member's
 * pages is of the other kind; mixed evidence says nothing.
 */
function slotMismatches(fn: FunctionAnalysis, context: RuleContext): Candidate[] {
  const out: Candidate[] = [];
  const slots = context.analysis.slots[context.side];
  for (const [node, list] of byNode(fn, "release")) {
    if (list.some((o) => o.obj !== undefined)) continue;
    const first = list[0]!;
    const slot = slotOf(first.targetKey, fn.types);
    const facts = slot ? slots.get(slot) : undefined;
    if (!facts || facts.fills.length === 0 || facts.releases.size !== 1) continue;
    const fill = facts.fills[0]!;
    if (fill.mode === "extract" || facts.fills.some((f) => f.mode !== fill.mode || f.fn === fn.view.name)) continue;
    const kind = first.release.kind;
    if (!list.every((o) => o.release.kind === kind) || releaseMatches(fill.mode, kind) || kind === "matching") continue;
    const advice = releaseAdvice(fill.mode, fill.site.single ? "page" : "array", context.era, context.analysis.usedNames);
    const pages = fill.site.key ?? first.targetKey ?? "these pages";
    out.push({
      messageId: "slotModeMismatch",
      data: { pages, acquire: callName(fill.site), filler: fill.fn, mode: modeWord(fill.mode), release: first.call, kind: kind === "put" ? "references" : "pins", advice: advice ? `; use ${advice}` : "" },
      anchors: [node], key: `slot|${slot}|${fill.site.call}|${first.call}`,
    });
  }
  return out;
}

/**
 * The function releases the same pages the other way on the other arm of a
 * test it cannot read (`if (req->pinned) unpin...; else put...`): the code
 * chooses the release by how the pages were taken. Mixed evidence: silent.
 */
function dispatchedByTest(fn: FunctionAnalysis, group: readonly { st: { facts: ReadonlyMap<string, boolean> } }[], obj: number, kind: string): boolean {
  const others = fn.observations.filter((o) => o.k === "release" && o.obj === obj && o.release.kind !== kind);
  if (others.length === 0) return false;
  const here = group[0]!.st.facts;
  for (const [text, value] of here) {
    if (text.startsWith("@")) continue;
    if (group.every((o) => o.st.facts.get(text) === value) && others.every((o) => o.st.facts.get(text) === !value)) return true;
  }
  return false;
}

function sameDerivation(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
