// The pure core: one parsed mail in, its findings out. Selects the files
// whose hunks touch the GUP/pin API, builds their C facts and page origins,
// runs every enabled rule and turns reports into findings.
import { createHash } from "node:crypto";
import { collectFileFacts } from "../analysis/facts.js";
import { PageOrigins } from "../analysis/page-origins.js";
import type { Config } from "../config/schema.js";
import { hunkTouchesGup, isExcludedPath, parsePatch } from "../diff/parse-patch.js";
import { describeError, PinwatchError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Mail } from "../mail/types.js";
import type { FileContext, Report, Rule, Severity } from "../rules/types.js";
import { patchTarget } from "./patch-target.js";
import type { Finding, Review } from "./types.js";

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => (name in data ? String(data[name]) : `{{${name}}}`));
}

export function fingerprint(rule: string, file: string, fn: string | undefined, text: string): string {
  const normalized = text.replace(/\s+/g, " ").trim();
  return createHash("sha1").update([rule, file, fn ?? "", normalized].join("\0")).digest("hex").slice(0, 16);
}

export interface ReviewOptions {
  rules: readonly Rule[];
  config: Pick<Config, "review">;
  log?: Logger;
}

/** Builds the per-file analysis for the files a rule may look at. */
export function analysePatch(mail: Mail, excludePaths: readonly string[]): FileContext[] {
  const contexts: FileContext[] = [];
  for (const file of parsePatch(mail.patchText)) {
    if (isExcludedPath(file.path, excludePaths)) continue;
    if (!file.hunks.some(hunkTouchesGup)) continue;
    const facts = collectFileFacts(file);
    contexts.push({
      facts,
      origins: new PageOrigins(facts, "new"),
      oldOrigins: new PageOrigins(facts, "old"),
      newCalls: facts.calls.filter((c) => c.side === "new"),
    });
  }
  return contexts;
}

export function reviewMail(mail: Mail, options: ReviewOptions): Review {
  const review: Review = { messageId: mail.messageId, subject: mail.subject, source: mail.source, kind: mail.kind, findings: [] };
  if (mail.kind !== "patch" || !mail.patchText) return review;
  const disabled = new Set(options.config.review.disabledRules);
  const files = analysePatch(mail, options.config.review.excludePaths);
  if (files.length === 0) return review;
  const target = patchTarget(mail);
  const seen = new Set<string>();
  for (const rule of options.rules) {
    if (disabled.has(rule.meta.id)) continue;
    const report = (r: Report) => {
      // Rules fire only on added lines; removed and context lines are evidence.
      if (r.line.status !== "add" || r.line.newLine === undefined) return;
      const template = rule.meta.messages[r.messageId];
      if (!template) throw new Error(`rule ${rule.meta.id} reported unknown messageId "${r.messageId}"`);
      const severity = r.severity && SEVERITY_RANK[r.severity] < SEVERITY_RANK[rule.meta.severity] ? r.severity : rule.meta.severity;
      const key = `${rule.meta.id}\0${r.file}\0${r.line.newLine}`;
      if (seen.has(key)) return;
      seen.add(key);
      review.findings.push({
        rule: rule.meta.id,
        messageId: r.messageId,
        category: rule.meta.category,
        severity,
        cases: r.cases ?? rule.meta.cases,
        file: r.file,
        line: r.line.newLine,
        function: r.function ?? null,
        message: formatMessage(template, r.data),
        citation: r.citation ?? rule.meta.citation,
        fingerprint: fingerprint(rule.meta.id, r.file, r.function, r.line.text),
        anchor: r.line,
        related: r.related ?? [],
      });
    };
    try {
      rule.check({ mail, target, files, report });
    } catch (err) {
      const error = new PinwatchError("PW_E_RULE_CRASH", `rule ${rule.meta.id} failed: ${describeError(err)}`, { subject: mail.messageId, cause: err });
      options.log?.error({ code: error.code, err }, error.message);
    }
  }
  review.findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule));
  return review;
}
