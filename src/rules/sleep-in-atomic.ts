// GUP and the dirtying releases (which take the page or folio lock) may
// sleep. Reported where such a call, made directly or through a function the
// patch defines, runs with an atomic section entered on every path (a
// spinlock, an RCU read section, interrupts or preemption off) or in a
// function that runs in atomic context (a callback the patch registers for
// RCU, a timer, a tasklet, an interrupt or bio completion, or a kernel
// function the effects table knows to run there).
import { lineOf } from "../analysis/analyse-patch.js";
import type { FunctionAnalysis } from "../analysis/engine.js";
import type { Candidate, Rule, RuleContext } from "./types.js";
import { byNode, everyPath } from "./utils/observations.js";

export const sleepInAtomic: Rule = {
  meta: {
    id: "sleep-in-atomic",
    category: "sleep-in-atomic",
    severity: "error",
    cases: ["case1"],
    description: "GUP or a dirtying release (which may sleep) called under a spinlock, in an RCU section, or in a function that runs in atomic context.",
    citation: { title: "Unreliable Guide To Locking: Things Which Sleep", url: "https://docs.kernel.org/kernel-hacking/locking.html#things-which-sleep" },
    messages: {
      underLock:
        "{{why}}{{through}}, but here it runs inside {{what}} (line {{openLine}}), where sleeping is not allowed. " +
        "Please move it out of the section, or dirty the pages beforehand and release them without dirtying here.",
      inContext:
        "{{why}}{{through}}, but {{fn}}() runs in {{context}}, where sleeping is not allowed. Please defer it to " +
        "process context (a workqueue, as the block layer does for dirtying), or release without dirtying here.",
    },
  },
  check(fn: FunctionAnalysis, context: RuleContext): Candidate[] {
    const out: Candidate[] = [];
    const name = fn.view.name;
    const where = name ? context.analysis.env.atomicContextOf(name) : undefined;
    for (const [node, list] of byNode(fn, "sleep")) {
      const gup = list.filter((o) => o.gup);
      if (gup.length === 0) continue;
      const first = gup[0]!;
      const through = first.chain.length > 0 ? ` (through ${first.chain.map((c) => `${c}()`).join(" -> ")})` : "";
      if (where) {
        out.push({
          messageId: "inContext",
          data: { why: first.why, through, fn: name!, context: where },
          anchors: [node], key: `context|${first.call}|${where}`,
        });
        continue;
      }
      if (!everyPath(fn, node, gup) || !gup.every((o) => o.st.atomic.length > 0)) continue;
      const section = first.st.atomic[first.st.atomic.length - 1]!;
      out.push({
        messageId: "underLock",
        data: { why: first.why, through, what: section.what, openLine: lineOf(fn, section.node)?.newLine ?? "?" },
        anchors: [node, section.node], related: [section.node], key: `lock|${first.call}|${section.what}`,
      });
    }
    return out;
  },
};
