// The shape every rule shares (after ESLint's meta/create): a meta that
// declares what the rule is about and what it cites, and a check that
// reads the analysed patch and reports findings by message id.
import type { CallFact, FileFacts, LineRef } from "../analysis/facts.js";
import type { PageOrigins } from "../analysis/page-origins.js";
import type { Mail } from "../mail/types.js";
import type { PatchTarget } from "../review/patch-target.js";

export const CATEGORIES = [
  "gup-data-access", "release-mismatch", "dirty-then-release", "longterm-without-pin", "internal-flag",
  "longterm-file-backed", "missing-foll-write", "partial-pin", "sleep-in-atomic", "highmem-access",
  "removed-api", "mmu-notifier-no-pin", "struct-page-only",
] as const;
export type Category = (typeof CATEGORIES)[number];

export type Severity = "error" | "warning" | "info";

export interface Citation {
  title: string;
  url: string;
}

export interface RuleMeta {
  /** kebab-case, equal to the file name. */
  id: string;
  category: Category;
  /** Default severity; a report may lower it (never raise it). */
  severity: Severity;
  /** pin_user_pages.rst cases the rule rests on: "case1".."case5", or "basics". */
  cases: string[];
  description: string;
  citation: Citation;
  /** Message templates with {{placeholders}}, by message id. */
  messages: Record<string, string>;
}

export interface Report {
  messageId: string;
  data?: Record<string, string | number>;
  file: string;
  /** The added line the finding is anchored on. */
  line: LineRef;
  function?: string;
  severity?: Severity;
  /** Other lines the comment is about (acquisition, release...), quoted in the reply. */
  related?: LineRef[];
  /** Cases and citation for this report when they differ from the meta's. */
  cases?: string[];
  citation?: Citation;
}

export interface FileContext {
  facts: FileFacts;
  /** Page origins on the new side (context + added lines). */
  origins: PageOrigins;
  /** Page origins on the old side (context + removed lines). */
  oldOrigins: PageOrigins;
  /** Calls on the new side, in source order. */
  newCalls: CallFact[];
}

export interface RuleContext {
  mail: Mail;
  target: PatchTarget;
  files: FileContext[];
  report(report: Report): void;
}

export interface Rule {
  meta: RuleMeta;
  check(context: RuleContext): void;
}

export const PIN_DOC = "https://docs.kernel.org/core-api/pin_user_pages.html";
export const CASE_URL = {
  basics: `${PIN_DOC}#basic-description-of-foll-pin`,
  tracking: `${PIN_DOC}#tracking-dma-pinned-pages`,
  case1: `${PIN_DOC}#case-1-direct-io-dio`,
  case2: `${PIN_DOC}#case-2-rdma`,
  case3: `${PIN_DOC}#case-3-mmu-notifier-registration-with-or-without-page-faulting-hardware`,
  case4: `${PIN_DOC}#case-4-pinning-for-struct-page-manipulation-only`,
  case5: `${PIN_DOC}#case-5-pinning-in-order-to-write-to-the-data-within-the-page`,
  flags: `${PIN_DOC}#which-flags-are-set-by-each-wrapper`,
} as const;
