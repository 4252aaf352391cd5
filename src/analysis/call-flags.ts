// Which FOLL_* flags a GUP call passes: the literal flags in its gup_flags
// argument, plus those OR'ed into a flags variable earlier in the function.
import { ACQUIRE } from "../diff/gup-symbols.js";
import type { CallFact, FileFacts } from "./facts.js";

export function flagsArgument(call: CallFact): number | undefined {
  return ACQUIRE[call.name]?.flagsArg?.[call.args.length];
}

export function flagNames(facts: FileFacts, call: CallFact): Set<string> {
  const pos = flagsArgument(call);
  const names = new Set<string>();
  if (pos === undefined) return names;
  const text = call.args[pos] ?? "";
  for (const m of text.matchAll(/\bFOLL_[A-Z_0-9]+\b/g)) names.add(m[0]);
  const variable = /^[A-Za-z_][\w>.-]*$/.test(text.trim()) ? text.trim() : undefined;
  if (variable) {
    for (const a of facts.assigns) {
      if (a.side !== call.side || a.fn !== call.fn || a.lhs !== variable || a.order > call.order) continue;
      for (const m of a.rhsText.matchAll(/\bFOLL_[A-Z_0-9]+\b/g)) names.add(m[0]);
    }
  }
  return names;
}
