// R17: calls that can sleep (GUP itself, and the dirtying release helpers,
// which take the folio lock) made where sleeping is not allowed: between a
// spinlock/RCU/irq-off section's start and its end in the same function, or
// in a function the patch registers as an RCU, tasklet or timer callback.
// Judged only when the whole span is visible in one hunk.
import type { CallFact } from "../analysis/facts.js";
import { ACQUIRE, RELEASE } from "../diff/gup-symbols.js";
import { CASE_URL, type Rule } from "./types.js";

/** Atomic-section openers and the calls that close them. */
const ATOMIC_SECTIONS: { open: RegExp; close: RegExp; what: string }[] = [
  { open: /^(raw_)?spin_lock(_irq|_irqsave|_bh|_nested|_irqsave_nested)?$/, close: /^(raw_)?spin_unlock(_irq|_irqrestore|_bh)?$/, what: "a spinlock" },
  { open: /^(read|write)_lock(_irq|_irqsave|_bh)?$/, close: /^(read|write)_unlock(_irq|_irqrestore|_bh)?$/, what: "an rwlock" },
  { open: /^rcu_read_lock(_bh|_sched)?$/, close: /^rcu_read_unlock(_bh|_sched)?$/, what: "an RCU read-side section" },
  { open: /^local_irq_(disable|save)$/, close: /^local_irq_(enable|restore)$/, what: "interrupts disabled" },
  { open: /^local_bh_disable$/, close: /^local_bh_enable$/, what: "bottom halves disabled" },
  { open: /^preempt_disable$/, close: /^preempt_enable(_no_resched)?$/, what: "preemption disabled" },
  { open: /^kmap_atomic$/, close: /^kunmap_atomic$/, what: "a kmap_atomic() mapping" },
  { open: /^pagefault_disable$/, close: /^pagefault_enable$/, what: "page faults disabled" },
];

/** Registration calls whose callback (argument index) runs in atomic context. */
const ATOMIC_CALLBACKS: Record<string, { arg: number; what: string }> = {
  call_rcu: { arg: 1, what: "an RCU callback (softirq context)" },
  call_rcu_hurry: { arg: 1, what: "an RCU callback (softirq context)" },
  tasklet_init: { arg: 1, what: "a tasklet (softirq context)" },
  tasklet_setup: { arg: 1, what: "a tasklet (softirq context)" },
  timer_setup: { arg: 1, what: "a timer callback (softirq context)" },
};

/** Never sleeps: the fast-only GUP variants exist for atomic context. */
const ATOMIC_SAFE_GUP = new Set(["get_user_pages_fast_only", "pin_user_pages_fast_only", "__get_user_pages_fast"]);

/** The call may sleep, and why. */
function sleeps(call: CallFact): string | undefined {
  if (ACQUIRE[call.name] && !ACQUIRE[call.name]!.iovIter && !ATOMIC_SAFE_GUP.has(call.name)) {
    return `${call.name}() can sleep (it may fault pages in and takes the mmap lock)`;
  }
  const release = RELEASE[call.name];
  if (release?.mayDirtyUnderLock) {
    const dirty = release.dirtyArg === undefined ? undefined : call.args[release.dirtyArg];
    if (dirty !== undefined && /^(false|0)$/.test(dirty.trim())) return undefined;
    return `${call.name}() takes the folio lock to dirty the pages and can sleep`;
  }
  if (call.name === "set_page_dirty_lock" || call.name === "folio_mark_dirty_lock") return `${call.name}() takes the page lock and can sleep`;
  return undefined;
}

function dominates(outer: CallFact, inner: CallFact): boolean {
  return outer.conditions.every((c) => inner.conditions.some((d) => d.text === c.text && d.branch === c.branch));
}

export const sleepInAtomic: Rule = {
  meta: {
    id: "sleep-in-atomic",
    category: "sleep-in-atomic",
    severity: "error",
    cases: ["case1"],
    description: "GUP or a dirtying unpin (which takes the folio lock) called under a spinlock, in an RCU section or in a softirq callback.",
    citation: { title: "pin_user_pages.rst: CASE 1: Direct IO (DIO)", url: CASE_URL.case1 },
    messages: {
      underLock:
        "{{why}}, but here it runs with {{what}} held ({{open}}() at line {{openLine}}). Please move it out of the " +
        "atomic section, or dirty the pages beforehand and use plain unpin_user_pages() here (the block layer " +
        "defers dirtying to a workqueue for this reason).",
      inCallback:
        "{{why}}, but {{fn}}() is registered as {{what}} by {{register}}() at line {{registerLine}}, where sleeping " +
        "is not allowed. Please defer the release to process context (a workqueue), or dirty the pages earlier and " +
        "use plain unpin_user_pages() here.",
    },
  },
  check(context) {
    for (const file of context.files) {
      const calls = file.newCalls;
      const callbacks = new Map<string, { call: CallFact; what: string }>();
      for (const c of calls) {
        const spec = ATOMIC_CALLBACKS[c.name];
        const target = spec ? c.args[spec.arg]?.replace(/^&/, "").trim() : undefined;
        if (spec && target && /^\w+$/.test(target)) callbacks.set(target, { call: c, what: spec.what });
      }
      for (const call of calls) {
        const why = sleeps(call);
        if (!why) continue;
        const callback = call.fn ? callbacks.get(call.fn) : undefined;
        if (callback && (call.line.status === "add" || callback.call.line.status === "add")) {
          context.report({
            messageId: "inCallback",
            data: { why, fn: call.fn!, what: callback.what, register: callback.call.name, registerLine: callback.call.line.newLine ?? "?" },
            file: file.facts.path, line: call.line.status === "add" ? call.line : callback.call.line, function: call.fn,
            related: [callback.call.line, call.line],
          });
          continue;
        }
        for (const section of ATOMIC_SECTIONS) {
          const open = [...calls].reverse().find(
            (c) => c.fn === call.fn && c.line.hunk === call.line.hunk && c.order < call.order && section.open.test(c.name),
          );
          if (!open || !dominates(open, call)) continue;
          const closed = calls.some((c) => c.fn === call.fn && c.order > open.order && c.order < call.order && section.close.test(c.name));
          if (closed || (call.line.status !== "add" && open.line.status !== "add")) continue;
          context.report({
            messageId: "underLock",
            data: { why, what: section.what, open: open.name, openLine: open.line.newLine ?? "?" },
            file: file.facts.path, line: call.line.status === "add" ? call.line : open.line, function: call.fn,
            related: [open.line, call.line],
          });
          break;
        }
      }
    }
  },
};
