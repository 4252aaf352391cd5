// The contract: every exit after a successful acquisition releases the
// pages it holds, or hands them to something that will. A finding needs the
// pages held on every path through one jump (a goto or a return) to an exit,
// with nothing shown between that could have released them: a failure
// return, a return while the array is still the function's own, or the array
// freed while its pages are still held.
import { lineOf } from "../analysis/analyse-patch.js";
import { UNEXPECTED, type FunctionAnalysis } from "../analysis/engine.js";
import { FULL, SHORT, type Obj } from "../analysis/values.js";
import type { Candidate, Rule, RuleContext } from "./types.js";
import { callName, groupBy, holds, nodeText, releaseAdvice } from "./utils/observations.js";

interface Exit {
  obj: Obj;
  /** The goto or return that sent the path to this exit. */
  jump: number;
  node: number;
  leaking: boolean;
  how: "exit" | "free";
  /** The freeing call, for frees. */
  call?: string;
}

/** The return a group of paths leaves by, when they all leave by one (a group of frees alone has none). */
function exitNode(group: Exit[]): number | undefined {
  const exits = new Set(group.filter((e) => e.how === "exit").map((e) => e.node));
  return exits.size === 1 ? [...exits][0] : undefined;
}

/** The pages are in storage the function owns: returning at all without releasing them loses them. */
function localArray(o: Obj): boolean {
  return !!o.site.localStorage;
}

export const leakOnErrorPath: Rule = {
  meta: {
    id: "leak-on-error-path",
    category: "partial-pin",
    severity: "error",
    cases: [],
    description: "An exit after pages were acquired that leaves without releasing them, or frees the array that holds them.",
    citation: {
      title: "mm/gup.c: pin_user_pages() kernel-doc (the caller releases what was pinned)",
      url: "https://docs.kernel.org/core-api/mm-api.html#c.pin_user_pages",
    },
    messages: {
      leak:
        "This path leaves {{fn}}() while the pages {{acquire}} put in {{pages}} (line {{acquireLine}}) are still held, " +
        "and nothing on the way releases them. Every exit after a successful {{acquire}} has to release what it " +
        "still holds{{advice}}, or go through the cleanup that does.",
      shortLeak:
        "When {{acquire}} returns fewer pages than asked for (line {{acquireLine}}), this path leaves {{fn}}() " +
        "without releasing the pages it did get into {{pages}}. A short return is a normal outcome: release " +
        "exactly the pages obtained{{advice}} before failing.",
      remainderLeak:
        "Leaving the loop here leaves behind the pages it has not reached yet: the rest of {{pages}} (from " +
        "{{acquire}}, line {{acquireLine}}) stay held and nothing releases them{{advice}}.",
      freedWhileHeld:
        "{{free}}({{pages}}) frees the array while the pages {{acquire}} put in it (line {{acquireLine}}) are still " +
        "held on this path, so they can never be released{{advice}}.",
    },
  },
  check(fn: FunctionAnalysis, context: RuleContext): Candidate[] {
    const exits: Exit[] = [];
    for (const o of fn.observations) {
      if (o.st.facts.get(UNEXPECTED)) continue;
      if (o.k === "exit") {
        for (const obj of o.st.objs.values()) {
          // A path on which the acquisition got nothing has nothing to leak: it does not count either way.
          if (obj.site.inferred || (obj.outcome & obj.site.holds) === 0) continue;
          // Pages whose array was freed on the way can no longer be released by anyone.
          const leaking = holds(obj) && (o.failure || localArray(obj) || !!obj.freed);
          exits.push({ obj, jump: o.st.jump ?? o.node, node: o.node, leaking, how: "exit" });
        }
      } else if (o.k === "free") {
        const obj = o.st.obj(o.obj);
        if (!obj || obj.site.inferred || (obj.outcome & obj.site.holds) === 0) continue;
        exits.push({ obj, jump: o.st.jump ?? o.node, node: o.node, leaking: holds(obj), how: "free", call: o.call });
      }
    }
    const out: Candidate[] = [];
    // Every path through one jump (the goto that took it off the straight flow, or its return) must leak.
    const leakingGroups = [...groupBy(exits, (e) => `${e.obj.site.id}:${e.jump}`).values()].filter((g) => g.every((e) => e.leaking));
    // Error paths that share their exit are one leak to the reader: one finding, on the exit they share.
    // A single such path keeps its own jump, the place where the leak is decided.
    const byExit = groupBy(leakingGroups, (g) => `${g[0]!.obj.site.id}:${exitNode(g) ?? `jump${g[0]!.jump}`}`);
    for (const groups of byExit.values()) {
      const group = groups.flat();
      const shared = groups.length > 1 ? exitNode(group) : undefined;
      const first = group[0]!;
      const o = first.obj;
      const site = o.site;
      const remainder = group.every((e) => e.obj.remainder);
      const shortOnly = group.every((e) => (e.obj.outcome & o.site.holds & FULL) === 0 && (e.obj.outcome & SHORT) !== 0);
      const free = group.find((e) => e.how === "free");
      const messageId = remainder ? "remainderLeak" : shortOnly ? "shortLeak" : free && group.every((e) => e.how === "free" || e.obj.freed) ? "freedWhileHeld" : "leak";
      const advice = releaseAdvice(site.mode, site.single ? "page" : "array", context.era, context.analysis.usedNames);
      const jump = shared ?? first.jump;
      out.push({
        messageId,
        data: {
          fn: fn.view.name ?? "this function",
          acquire: callName(site),
          pages: site.key ?? "the array",
          acquireLine: lineOf(fn, site.node)?.newLine ?? lineOf(fn, site.node)?.oldLine ?? "?",
          advice: advice ? ` (with ${advice})` : "",
          free: free?.call ?? "",
        },
        anchors: [jump, ...(free ? [free.node] : []), first.node, site.node],
        related: [site.node],
        // Named by the exit the paths leave through, so the same leak on the old side matches however its paths group.
        key: `${fn.view.name}|${site.call}|${site.key}|${nodeText(fn, exitNode(group) ?? jump)}`,
      });
    }
    return out;
  },
};
