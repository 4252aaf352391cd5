// A patch's review as one result of b4 review's CI check protocol, so b4
// users see pinwatch beside checkpatch in the check matrix. b4 pipes one
// patch on stdin to each `review-perpatch-check-cmd` and reads a JSON array
// of {tool, status: pass|warn|fail, summary, url, details} (b4's
// docs/maintainer/review.rst, "CI check integration"). Pure: a review in,
// the result object out.
import type { PinwatchError } from "../errors.js";
import type { Severity } from "../rules/types.js";
import type { Finding, Review } from "./types.js";

export type B4Status = "pass" | "warn" | "fail";

export interface B4CheckResult {
  /** The column header in b4's matrix. */
  tool: string;
  status: B4Status;
  /** One line for the detail view. */
  summary: string;
  /** What to open in a browser: the document section the worst finding rests on. */
  url?: string;
  /** Multi-line text: one line per finding, and what it cites. */
  details?: string;
}

export const B4_TOOL = "pinwatch";

const STATUS: Record<Severity, B4Status> = { error: "fail", warning: "warn", info: "pass" };
const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

function count(findings: readonly Finding[], severity: Severity, one: string, many: string): string | undefined {
  const n = findings.filter((f) => f.severity === severity).length;
  return n ? `${n} ${n === 1 ? one : many}` : undefined;
}

/** The result for one reviewed patch (a patch without findings passes). */
export function b4CheckResult(review: Review): B4CheckResult {
  const findings = review.findings;
  if (findings.length === 0) return { tool: B4_TOOL, status: "pass", summary: "no GUP/pin findings" };
  const worst = findings.reduce((w, f) => (RANK[f.severity] > RANK[w.severity] ? f : w));
  const summary = [count(findings, "error", "error", "errors"), count(findings, "warning", "warning", "warnings"), count(findings, "info", "note (not mailed)", "notes (not mailed)")]
    .filter(Boolean)
    .join(", ");
  const details = findings
    .map((f) => `${f.file}:${f.line}: ${f.severity}: ${f.message.replace(/\s+/g, " ").trim()} [${f.rule}]\n  ${f.citation.title}: ${f.citation.url}`)
    .join("\n");
  return { tool: B4_TOOL, status: STATUS[worst.severity], summary, url: worst.citation.url, details };
}

/** An input that could not be reviewed: b4 shows it as a failure of the tool. */
export function b4ErrorResult(error: PinwatchError): B4CheckResult {
  return { tool: B4_TOOL, status: "fail", summary: `not reviewed: ${error.code}`, details: error.message };
}
