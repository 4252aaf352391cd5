// `pinwatch review` as text, in the habits of checkpatch and compilers: a
// one-line header per patch with findings, one `file:LINE: severity:
// message [rule-id]` line per finding, a run of patches without findings
// collapsed into one line, mail that is not a patch only counted, and a
// total line. Everything from mail has its control bytes made visible.
import type { PinwatchError } from "../errors.js";
import type { Review } from "../review/types.js";
import type { Severity } from "../rules/types.js";
import { visible } from "../visible-text.js";

export interface ReviewTotals {
  /** Patches reviewed (with or without findings). */
  reviewed: number;
  errors: number;
  warnings: number;
  info: number;
  /** Mail read but not reviewed: replies, cover letters, other mail. */
  skipped: number;
  /** Inputs or messages that could not be read or parsed. */
  unreadable: number;
}

export function emptyTotals(): ReviewTotals {
  return { reviewed: 0, errors: 0, warnings: 0, info: 0, skipped: 0, unreadable: 0 };
}

const COUNTED: Record<Severity, keyof ReviewTotals> = { error: "errors", warning: "warnings", info: "info" };

export function countReview(totals: ReviewTotals, review: Review): void {
  if (review.kind !== "patch") {
    totals.skipped++;
    return;
  }
  totals.reviewed++;
  for (const f of review.findings) totals[COUNTED[f.severity]]++;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "3 patches reviewed, 1 error, 2 warnings, 38 skipped" (info and unreadable inputs only when there are some). */
export function totalLine(t: ReviewTotals): string {
  const parts = [`${plural(t.reviewed, "patch", "patches")} reviewed`, plural(t.errors, "error"), plural(t.warnings, "warning")];
  if (t.info) parts.push(`${t.info} info`);
  parts.push(`${t.skipped} skipped`);
  const line = parts.join(", ");
  return t.unreadable ? `${line}; ${plural(t.unreadable, "input")} could not be read` : line;
}

/** One line, whatever the message held. */
const oneLine = (text: string) => visible(text.replace(/\s+/g, " ").trim());

export function findingLine(f: Review["findings"][number]): string {
  return `${oneLine(f.file)}:${f.line}: ${f.severity}: ${oneLine(f.message)} [${f.rule}]`;
}

export function headerLine(r: Review): string {
  return `${oneLine(r.source)}: ${oneLine(r.subject) || "(no subject)"} <${oneLine(r.messageId)}>`;
}

/** An input error as a diagnostic: `source: error: message [PW_E_CODE]`. */
export function errorLine(e: PinwatchError): string {
  const bare = e.subject && e.message.startsWith(`${e.subject}: `) ? e.message.slice(e.subject.length + 2) : e.message;
  return `${oneLine(e.subject ?? "pinwatch")}: error: ${oneLine(bare)} [${e.code}]`;
}

/** Writes reviews as they come (in input order); patches without findings wait to be collapsed. */
export class TextReport {
  private clean: Review[] = [];

  constructor(
    private readonly out: (text: string) => void,
    private readonly err: (text: string) => void,
    private readonly quiet: boolean,
  ) {}

  review(r: Review): void {
    if (r.kind !== "patch") return;
    if (r.findings.length === 0) {
      this.clean.push(r);
      return;
    }
    this.flushClean();
    const lines = r.findings.map(findingLine);
    this.out(`${(this.quiet ? lines : [headerLine(r), ...lines]).join("\n")}\n`);
  }

  error(e: PinwatchError): void {
    this.flushClean();
    this.err(`${errorLine(e)}\n`);
  }

  finish(totals: ReviewTotals): void {
    this.flushClean();
    if (!this.quiet) this.out(`${totalLine(totals)}\n`);
  }

  private flushClean(): void {
    const run = this.clean;
    this.clean = [];
    if (this.quiet || run.length === 0) return;
    if (run.length === 1) this.out(`${headerLine(run[0]!)}: no findings\n`);
    else this.out(`${oneLine(run[0]!.source)} ... ${oneLine(run[run.length - 1]!.source)}: ${run.length} patches, no findings\n`);
  }
}
