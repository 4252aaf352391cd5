// Findings and reviews: plain data, safe to serialise and to store.
import type { LineRef } from "../analysis/line-ref.js";
import type { MailKind } from "../mail/types.js";
import type { Category, Citation, Severity } from "../rules/types.js";

export interface Finding {
  rule: string;
  /** Which of the rule's messages (not part of the JSON contract). */
  messageId: string;
  category: Category;
  severity: Severity;
  cases: string[];
  file: string;
  /** New-file line number of the added line the finding is anchored on. */
  line: number;
  function: string | null;
  message: string;
  citation: Citation;
  /** Stable across versions of a patch: rule, file, function, anchored text. */
  fingerprint: string;
  /** The hunk lines the comment is about, for quoting (not part of the JSON contract). */
  anchor: LineRef;
  related: LineRef[];
}

export interface Review {
  messageId: string;
  subject: string;
  source: string;
  kind: MailKind;
  findings: Finding[];
}

/** The public `review --json` shape of one finding. */
export function findingToJson(f: Finding) {
  return {
    rule: f.rule,
    category: f.category,
    severity: f.severity,
    cases: f.cases,
    file: f.file,
    line: f.line,
    function: f.function,
    message: f.message,
    citation: { title: f.citation.title, url: f.citation.url },
  };
}

export function reviewToJson(r: Review) {
  return { messageId: r.messageId, subject: r.subject, source: r.source, kind: r.kind, findings: r.findings.map(findingToJson) };
}
