// R15: an added error return, after pages were acquired and the acquisition
// checked, that leaves the function without releasing them. Judged only
// where the whole path from the acquisition to the return is visible in one
// hunk, the pages live in a local array (not handed to an object whose
// destructor releases them), and nothing on the return's branch releases.
import type { CallFact, ExitFact, FileFacts } from "../analysis/facts.js";
import { pagesArgument } from "../analysis/page-origins.js";
import { ACQUIRE, type AcquireMode } from "../diff/gup-symbols.js";
import { type FileContext, type Rule } from "./types.js";
import { mentions } from "./utils/names.js";

/** A call that could release, free or hand back the pages on this path. */
const RELEASING = /put|unpin|release|free|unmap|unlock|undo|cleanup|unaccount|drop|destroy/i;

const ERROR_RETURN = /^(-E[A-Z0-9]+|ERR_PTR\s*\(\s*-E[A-Z0-9]+\s*\))$/;

/** The exit returns an error: a literal -E..., or a variable just set from another call's failure. */
function isErrorReturn(exit: ExitFact, facts: FileFacts, acquire: CallFact): boolean {
  if (ERROR_RETURN.test(exit.value)) return true;
  if (!/^\w+$/.test(exit.value) || exit.value === acquire.assignedTo) return false;
  const setter = facts.assigns.find(
    (a) => a.side === "new" && a.fn === exit.fn && a.lhs === exit.value && a.order > acquire.order && a.order < exit.order && a.rhsCall,
  );
  return !!setter && exit.conditions.some((c) => mentions(c.text, exit.value));
}

/** The acquisition and the return are on different arms of one if. */
function otherArm(acquire: CallFact, exit: ExitFact): boolean {
  return acquire.conditions.some((c) => exit.conditions.some((e) => e.text === c.text && e.branch !== c.branch));
}

function check(file: FileContext, report: (acquire: CallFact, exit: ExitFact, pages: string) => void): void {
  const { facts } = file;
  for (const acquire of file.newCalls) {
    const spec = ACQUIRE[acquire.name];
    const pos = pagesArgument(acquire);
    const pages = pos === undefined ? null : acquire.argRoots[pos];
    if (!spec || !pages || pages === "NULL" || pages.includes("->") || pages.includes(".")) continue;
    const fn = acquire.fn;
    const isLocal = facts.locals.some((l) => l.side === "new" && l.fn === fn && l.name === pages);
    if (!isLocal) continue;
    // The array and its aliases (page = pages[i]), from the shared page-origin analysis.
    const held = (root: string | null) => root !== null && (root === pages || file.origins.originsOf(root, fn).some((o) => o.call === acquire));
    const result = acquire.assignedTo;
    for (const exit of facts.exits) {
      if (exit.side !== "new" || exit.kind !== "return" || exit.line.status !== "add") continue;
      if (exit.fn !== fn || exit.line.hunk !== acquire.line.hunk || exit.order <= acquire.order) continue;
      if (!isErrorReturn(exit, facts, acquire) || otherArm(acquire, exit)) continue;
      // The check of the acquisition itself ("if (ret <= 0) return ..."): nothing is held there, or
      // what is held is partial-pin's business.
      const testsAcquisition = exit.conditions.some(
        (c) => (result && mentions(c.text, result)) || c.text.includes(`${acquire.name}(`),
      );
      if (testsAcquisition) continue;
      const between = (order: number) => order > acquire.order && order < exit.order;
      // An unconditional exit in between: the return is only reached through a label, from elsewhere.
      if (facts.exits.some((x) => x.side === "new" && x.fn === fn && between(x.order) && x.conditions.length === 0 && !x.loop)) continue;
      const released = facts.calls.some(
        (c) => c.side === "new" && c.fn === fn && between(c.order) && RELEASING.test(c.name) &&
          (c.argRoots.some(held) || c.conditions.length >= exit.conditions.length),
      );
      if (released) continue;
      // Ownership handed over (stored in an object or an out-parameter) before the return.
      const handedOver = facts.assigns.some(
        (a) => a.side === "new" && a.fn === fn && between(a.order) && /->|\.|^\*/.test(a.lhsText) &&
          a.rhsRoots.some(held) && !/\[/.test(a.rhsText),
      );
      if (handedOver) continue;
      report(acquire, exit, pages);
      break; // one comment per acquisition is enough
    }
  }
}

const RELEASE_ADVICE: Record<AcquireMode, string> = {
  get: "put_page()",
  pin: "unpin_user_pages()",
  "pin-folio": "unpin_folios()",
  extract: "unpin_user_pages() when iov_iter_extract_will_pin() said so",
};

export const leakOnErrorPath: Rule = {
  meta: {
    id: "leak-on-error-path",
    category: "partial-pin",
    severity: "error",
    cases: [],
    description: "An added error return, after pages were obtained from GUP/pin, that leaves without releasing them.",
    citation: {
      title: "mm/gup.c: pin_user_pages() kernel-doc (the caller releases what was pinned)",
      url: "https://docs.kernel.org/core-api/mm-api.html#c.pin_user_pages",
    },
    messages: {
      leak:
        "This error return leaves {{fn}}() while the pages that {{acquire}}() put in {{pages}} (line {{acquireLine}}) " +
        "are still held, and nothing on this path releases them. Every exit after a successful " +
        "{{acquire}}() has to drop exactly the pages that were not handed on, with {{release}}, or jump to " +
        "the cleanup label that does.",
    },
  },
  check(context) {
    for (const file of context.files) {
      check(file, (acquire, exit, pages) => {
        const mode = ACQUIRE[acquire.name]!.mode;
        context.report({
          messageId: "leak",
          data: {
            fn: exit.fn ?? "the function",
            acquire: acquire.name,
            pages,
            acquireLine: acquire.line.newLine ?? "?",
            release: RELEASE_ADVICE[mode],
          },
          file: file.facts.path,
          line: exit.line,
          function: exit.fn,
          related: [acquire.line],
        });
      });
    }
  },
};
