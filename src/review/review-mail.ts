// The pure core: one parsed mail in, its findings out. Selects the files
// whose hunks touch the GUP/pin API, builds their C facts and page origins,
// runs every enabled rule and turns reports into findings.
import { createHash } from "node:crypto";
import { collectFileFacts, type FileFacts, type LineRef } from "../analysis/facts.js";
import { PageOrigins } from "../analysis/page-origins.js";
import type { Config } from "../config/schema.js";
import { RELEASE } from "../diff/gup-symbols.js";
import { hunkTouchesGup, isExcludedPath, parsePatch, type FileDiff } from "../diff/parse-patch.js";
import { describeError, PinwatchError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Mail } from "../mail/types.js";
import type { FileContext, Report, Rule, Severity } from "../rules/types.js";
import { patchTarget } from "./patch-target.js";
import type { Review } from "./types.js";

const RELEASE_NAME = new RegExp(`\\b(${Object.keys(RELEASE).join("|")})\\s*\\(`);

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
  /** The other patches of the same series posting, when they are available. */
  series?: readonly Mail[];
}

/**
 * Each mail's diff is parsed, and each of its files' facts collected, once:
 * a patch of a series is also read as a sibling of every other patch in it.
 */
const parsed = new WeakMap<Mail, { files: FileDiff[]; facts: Map<string, FileFacts> }>();

function patchOf(mail: Mail): { files: FileDiff[]; facts: Map<string, FileFacts> } {
  let entry = parsed.get(mail);
  if (!entry) {
    entry = { files: parsePatch(mail.patchText), facts: new Map() };
    parsed.set(mail, entry);
  }
  return entry;
}

/** The files of a mail's diff, parsed once per mail (the review, its reply and its excerpts share them). */
export function patchFiles(mail: Mail): FileDiff[] {
  return patchOf(mail).files;
}

function factsOf(mail: Mail, file: FileDiff): FileFacts {
  const { facts } = patchOf(mail);
  let f = facts.get(file.path);
  if (!f) {
    f = collectFileFacts(file);
    facts.set(file.path, f);
  }
  return f;
}

/** Builds the per-file analysis for the files a rule may look at. */
export function analysePatch(mail: Mail, excludePaths: readonly string[], series: readonly Mail[] = []): FileContext[] {
  const contexts: FileContext[] = [];
  const candidates = patchOf(mail).files.filter((f) => !isExcludedPath(f.path, excludePaths));
  // Sibling patches' facts for the same files: where their pages come from.
  const siblingFacts = new Map<string, FileFacts[]>();
  if (series.length > 0 && candidates.length > 0) {
    const wanted = new Set(candidates.map((f) => f.path));
    for (const sibling of series) {
      for (const file of patchOf(sibling).files) {
        if (!wanted.has(file.path) || !file.hunks.some(hunkTouchesGup)) continue;
        siblingFacts.set(file.path, [...(siblingFacts.get(file.path) ?? []), factsOf(sibling, file)]);
      }
    }
  }
  // A file is reviewed when its hunks touch the GUP API, or release pages in a
  // file whose GUP side another patch of the series changes.
  const files = candidates.filter(
    (f) => f.hunks.some(hunkTouchesGup) || (siblingFacts.has(f.path) && f.hunks.some((h) => h.lines.some((l) => l.status === "add" && RELEASE_NAME.test(l.text)))),
  );
  for (const file of files) {
    const facts = factsOf(mail, file);
    contexts.push({
      facts,
      origins: new PageOrigins(facts, "new", siblingFacts.get(file.path)),
      oldOrigins: new PageOrigins(facts, "old"),
      newCalls: facts.calls.filter((c) => c.side === "new"),
    });
  }
  return contexts;
}

/** The line is one of this file's hunk lines in this patch. */
function inHunks(file: FileContext, line: LineRef): boolean {
  const hunk = file.facts.file.hunks.find((h) => h.index === line.hunk);
  return !!hunk && hunk.lines.some((l) => l.text === line.text && l.newLine === line.newLine && l.oldLine === line.oldLine);
}

export function reviewMail(mail: Mail, options: ReviewOptions): Review {
  const review: Review = { messageId: mail.messageId, subject: mail.subject, source: mail.source, kind: mail.kind, findings: [] };
  if (mail.kind !== "patch" || !mail.patchText) return review;
  const disabled = new Set(options.config.review.disabledRules);
  const files = analysePatch(mail, options.config.review.excludePaths, options.series);
  if (files.length === 0) return review;
  const target = patchTarget(mail);
  const seen = new Set<string>();
  for (const rule of options.rules) {
    if (disabled.has(rule.meta.id)) continue;
    const report = (r: Report) => {
      // Rules fire only on added lines; removed and context lines are evidence.
      if (r.line.status !== "add" || r.line.newLine === undefined) return;
      // Lines from sibling patches of a series inform the analysis but are never quoted or anchored on.
      const own = files.find((f) => f.facts.path === r.file);
      if (!own || !inHunks(own, r.line)) return;
      const related = (r.related ?? []).filter((l) => inHunks(own, l));
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
        related,
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
