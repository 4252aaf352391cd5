// The shape every rule shares (after ESLint's meta/create): a meta that
// declares what the rule is about and what it cites, and a check that reads
// the engine's observations for one function on one side of the patch and
// returns candidate findings. The review keeps a candidate only when the
// patch introduces it: absent from the old side, anchored on an added line.
import type { TreeEra } from "../api/era.js";
import type { FunctionAnalysis } from "../analysis/engine.js";
import type { FileAnalysis, PatchAnalysis } from "../analysis/analyse-patch.js";
import type { Side } from "../analysis/source-view.js";

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
  /** Default severity; a candidate may lower it (never raise it). */
  severity: Severity;
  /** pin_user_pages.rst cases the rule rests on: "case1".."case5", or "basics". */
  cases: string[];
  description: string;
  citation: Citation;
  /** Message templates with {{placeholders}}, by message id. */
  messages: Record<string, string>;
}

/** A finding as a rule sees it, before the review decides whether the patch introduced it. */
export interface Candidate {
  messageId: string;
  data?: Record<string, string | number>;
  /** CFG nodes to anchor on, best first: the first one on an added line is used. */
  anchors: number[];
  /** Other nodes the comment is about (the acquisition, the release), quoted when shown. */
  related?: number[];
  /** What makes this finding the same finding on the other side or in another version (no line numbers). */
  key: string;
  severity?: Severity;
  cases?: string[];
  citation?: Citation;
}

export interface RuleContext {
  analysis: PatchAnalysis;
  file: FileAnalysis;
  side: Side;
  era: TreeEra;
}

export interface Rule {
  meta: RuleMeta;
  check(fn: FunctionAnalysis, context: RuleContext): Candidate[];
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
  another: `${PIN_DOC}#another-way-of-thinking-about-foll-get-foll-pin-and-foll-longterm`,
} as const;
