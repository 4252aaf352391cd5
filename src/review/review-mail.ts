// The pure core: one parsed mail in, its findings out. The analysis runs the
// path engine over both sides of every function the reviewed files show;
// each rule turns observations into candidates; a candidate becomes a
// finding only when the patch introduces it (the old side has no candidate
// with the same key in the same function) and it can be anchored on an added
// line that is new code, not a re-wrapped or re-indented removed line.
import { createHash } from "node:crypto";
import { analysePatch, lineOf, patchFiles, type FileAnalysis, type PatchAnalysis } from "../analysis/analyse-patch.js";
import type { FunctionAnalysis } from "../analysis/engine.js";
import type { LineRef } from "../analysis/line-ref.js";
import type { Config } from "../config/schema.js";
import type { Hunk } from "../diff/parse-patch.js";
import { describeError, PinwatchError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Mail } from "../mail/types.js";
import type { Candidate, Rule, RuleContext, Severity } from "../rules/types.js";
import type { Review } from "./types.js";

export { patchFiles };

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => (name in data ? String(data[name]) : `{{${name}}}`));
}

export function fingerprint(rule: string, file: string, fn: string | undefined, key: string): string {
  return createHash("sha1").update([rule, file, fn ?? "", key.replace(/\s+/g, " ").trim()].join("\0")).digest("hex").slice(0, 16);
}

export interface ReviewOptions {
  rules: readonly Rule[];
  config: Pick<Config, "review">;
  log?: Logger;
  /** The other patches of the same series posting, when they are available. */
  series?: readonly Mail[];
}

const squash = (text: string) => text.replace(/\s+/g, "");

/** Removed lines of each hunk, squashed and joined: an added line found inside is re-wrapped old code. */
function removedText(hunk: Hunk): string {
  return hunk.lines.filter((l) => l.status === "del").map((l) => squash(l.text)).join("");
}

/** The line is code the patch adds, not a removed line moved, re-wrapped or re-indented. */
function isNewCode(file: FileAnalysis, line: LineRef, cache: Map<number, string>): boolean {
  if (line.status !== "add") return false;
  const hunk = file.file.hunks[line.hunk];
  if (!hunk) return false;
  let removed = cache.get(hunk.index);
  if (removed === undefined) {
    removed = removedText(hunk);
    cache.set(hunk.index, removed);
  }
  const text = squash(line.text);
  return text.length < 8 || !removed.includes(text);
}

/** Candidates per function name on one side of a file. */
function candidates(rule: Rule, fns: FunctionAnalysis[], context: RuleContext, log?: Logger): { fn: FunctionAnalysis; c: Candidate }[] {
  const out: { fn: FunctionAnalysis; c: Candidate }[] = [];
  for (const fn of fns) {
    if (fn.capped) continue;
    try {
      for (const c of rule.check(fn, context)) out.push({ fn, c });
    } catch (err) {
      const error = new PinwatchError("PW_E_RULE_CRASH", `rule ${rule.meta.id} failed: ${describeError(err)}`, { subject: context.analysis.mail.messageId, cause: err });
      log?.error({ code: error.code, err }, error.message);
    }
  }
  return out;
}

/** Per file, the lines the series' other patches remove (trimmed). */
function linesSiblingsRemove(mail: Mail, series: readonly Mail[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const sibling of series) {
    if (sibling === mail || sibling.kind !== "patch") continue;
    for (const f of patchFiles(sibling)) {
      for (const h of f.hunks) for (const l of h.lines) {
        if (l.status !== "del" || l.text.trim() === "") continue;
        let set = out.get(f.path);
        if (!set) out.set(f.path, (set = new Set()));
        set.add(l.text.trim());
      }
    }
  }
  return out;
}

export function reviewMail(mail: Mail, options: ReviewOptions): Review {
  const review: Review = { messageId: mail.messageId, subject: mail.subject, source: mail.source, kind: mail.kind, findings: [] };
  if (mail.kind !== "patch" || !mail.patchText) return review;
  const disabled = new Set(options.config.review.disabledRules);
  const analysis: PatchAnalysis = analysePatch(mail, { excludePaths: options.config.review.excludePaths, series: options.series });
  const seen = new Set<string>();
  const changedLater = linesSiblingsRemove(mail, options.series ?? []);
  for (const file of analysis.files) {
    const removedCache = new Map<number, string>();
    for (const rule of options.rules) {
      if (disabled.has(rule.meta.id)) continue;
      const ctx = (side: "new" | "old"): RuleContext => ({ analysis, file, side, era: analysis.era });
      const before = new Set(candidates(rule, file.functions.old, ctx("old"), options.log).map(({ fn, c }) => `${fn.view.name ?? ""}\0${c.key}`));
      for (const { fn, c } of candidates(rule, file.functions.new, ctx("new"), options.log)) {
        if (before.has(`${fn.view.name ?? ""}\0${c.key}`)) continue;
        const anchor = c.anchors.map((n) => lineOf(fn, n)).find((l): l is LineRef => !!l && isNewCode(file, l, removedCache));
        if (!anchor || anchor.newLine === undefined) continue;
        const template = rule.meta.messages[c.messageId];
        if (!template) throw new Error(`rule ${rule.meta.id} reported unknown messageId "${c.messageId}"`);
        const severity = c.severity && SEVERITY_RANK[c.severity] < SEVERITY_RANK[rule.meta.severity] ? c.severity : rule.meta.severity;
        const dedupe = `${rule.meta.id}\0${file.path}\0${anchor.newLine}\0${c.messageId}`;
        if (seen.has(dedupe)) continue;
        seen.add(dedupe);
        const related = (c.related ?? []).map((n) => lineOf(fn, n)).filter((l): l is LineRef => !!l && (l.newLine !== anchor.newLine || l.hunk !== anchor.hunk));
        // The unchanged code the finding rests on is rewritten by another patch of the series: judge the series, not this step.
        if (related.some((l) => l.status !== "add" && changedLater.get(file.path)?.has(l.text.trim()))) continue;
        review.findings.push({
          rule: rule.meta.id,
          messageId: c.messageId,
          category: rule.meta.category,
          severity,
          cases: c.cases ?? rule.meta.cases,
          file: file.path,
          line: anchor.newLine,
          function: fn.view.name ?? null,
          message: formatMessage(template, c.data),
          citation: c.citation ?? rule.meta.citation,
          // The anchored line is part of the identity: a finding on rewritten code is a new finding (see lineage.ts).
          fingerprint: fingerprint(rule.meta.id, file.path, fn.view.name, `${c.key}\0${squash(anchor.text)}`),
          anchor,
          related,
        });
      }
    }
  }
  review.findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule));
  return review;
}
