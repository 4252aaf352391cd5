// The human-readable review output: one block per message.
import type { Review } from "../review/types.js";
import { wrapParagraph } from "../reply/wrap-text.js";

export function formatReviewHuman(review: Review): string {
  const lines = [`${review.source}`, `  <${review.messageId}> [${review.kind}] ${review.subject}`];
  if (review.kind !== "patch") lines.push(`  not reviewed: ${review.kind === "reply" ? "a reply" : review.kind === "cover" ? "a cover letter" : "not a patch"}`);
  else if (review.findings.length === 0) lines.push("  no findings");
  for (const f of review.findings) {
    lines.push(`  ${f.severity.padEnd(7)} ${f.file}:${f.line}${f.function ? ` ${f.function}()` : ""}  [${f.rule}]`);
    for (const l of wrapParagraph(f.message, 92)) lines.push(`          ${l}`);
    lines.push(`          see ${f.citation.url}`);
  }
  return lines.join("\n");
}
