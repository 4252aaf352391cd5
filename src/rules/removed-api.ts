// APIs, parameters and FOLL_ flags the tree the patch targets no longer has:
// the effects table says when each was removed. Judged conservatively (the
// release without it must have been out when the mail was sent, or the stable
// tree it targets is that new); version-compat blocks and names the patch
// defines itself are left alone.
import { apiRow } from "../api/catalog.js";
import { isVersionCompat } from "../api/platforms.js";
import { goneFrom } from "../api/era.js";
import type { Expr } from "../analysis/c-ast.js";
import { callsIn, type FunctionAnalysis } from "../analysis/engine.js";
import type { Candidate, Rule, RuleContext } from "./types.js";
import { lineOf } from "../analysis/analyse-patch.js";

/** Identifiers in an expression, outside call names. */
function identifiers(e: Expr | undefined): string[] {
  const out: string[] = [];
  const stack: Expr[] = e ? [e] : [];
  while (stack.length > 0) {
    const x = stack.pop()!;
    switch (x.k) {
      case "id": out.push(x.name); break;
      case "call": stack.push(...x.args); break;
      case "field": stack.push(x.base); break;
      case "index": stack.push(x.base, x.index); break;
      case "unary": case "cast": case "update": stack.push(x.arg); break;
      case "binary": case "assign": stack.push(x.left, x.right); break;
      case "cond": stack.push(x.test, x.then, x.else); break;
      case "comma": case "list": stack.push(...x.items); break;
      default: break;
    }
  }
  return out;
}

/** #if blocks that keep old names on purpose (version compatibility). */
function inCompatBlock(fn: FunctionAnalysis, node: number): boolean {
  return (fn.cfg.nodes[node]?.configs ?? []).some(isVersionCompat);
}

export const removedApi: Rule = {
  meta: {
    id: "removed-api",
    category: "removed-api",
    severity: "error",
    cases: [],
    description: "A GUP/pin API, parameter or FOLL_ flag that the target tree no longer has.",
    citation: { title: "Documentation/core-api/mm-api.rst: get_user_pages() and friends", url: "https://docs.kernel.org/core-api/mm-api.html" },
    messages: {
      removedCall: "{{name}}() was removed in {{removedIn}}, so this does not build on {{target}}. Please use {{replacement}} instead.",
      removedParameter: "{{name}}() lost its {{parameter}} parameter in {{removedIn}}, so this call does not build on {{target}}. Please use {{replacement}}.",
      removedFlag: "{{name}} was removed in {{removedIn}}, so this does not build on {{target}}{{replacement}}.",
    },
  },
  check(fn: FunctionAnalysis, context: RuleContext): Candidate[] {
    const out: Candidate[] = [];
    if (context.side !== "new") return out;
    const era = context.era;
    const target = era.stable ? `${era.stable}.y` : era.released ? `kernels after v${era.released}` : "current kernels";
    const defined = context.analysis.definedNames;
    const version = (v: string, approximate?: boolean) => (approximate ? `around v${v}` : `v${v}`);
    for (const n of fn.cfg.nodes) {
      if (!n.expr && !n.decl?.init) continue;
      const expr = n.expr ?? n.decl!.init!;
      if (inCompatBlock(fn, n.id) || lineOf(fn, n.id)?.status !== "add") continue;
      for (const call of callsIn(expr)) {
        const row = call.fn ? apiRow(call.fn) : undefined;
        if (!row || defined.has(row.name)) continue;
        if (row.era?.removed && goneFrom(era, row.era.removed) && (row.era.arities?.includes(call.args.length) ?? true)) {
          const replacement = row.era.replacement ? `${row.era.replacement}()` : "the current API";
          out.push({ messageId: "removedCall", data: { name: row.name, removedIn: version(row.era.removed, row.era.approximate), target, replacement }, anchors: [n.id], key: `call|${row.name}` });
        }
        for (const sig of row.signatures ?? []) {
          if (sig.arity !== call.args.length || !goneFrom(era, sig.removed)) continue;
          out.push({ messageId: "removedParameter", data: { name: row.name, parameter: sig.parameter, removedIn: version(sig.removed, sig.approximate), target, replacement: `${sig.replacement}()` }, anchors: [n.id], key: `param|${row.name}|${sig.parameter}` });
        }
      }
      for (const id of identifiers(expr)) {
        const row = apiRow(id);
        if (!row?.flag || !row.era?.removed || !goneFrom(era, row.era.removed) || defined.has(id)) continue;
        out.push({ messageId: "removedFlag", data: { name: id, removedIn: version(row.era.removed, row.era.approximate), target, replacement: row.era.replacement ? `; use ${row.era.replacement}` : "" }, anchors: [n.id], key: `flag|${id}` });
      }
    }
    return out;
  },
};
