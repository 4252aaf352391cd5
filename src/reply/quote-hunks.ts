// Builds the trimmed, interleaved quote above each comment: only the hunk
// lines the finding is about (plus the few between them), "[...]" where
// lines were left out, diff prefixes kept and lines never wrapped.
import type { LineRef } from "../analysis/line-ref.js";
import type { FileDiff } from "../diff/parse-patch.js";

const PREFIX = { add: "+", del: "-", ctx: " " } as const;
/** Lines between two quoted lines of one hunk that are shown instead of "[...]". */
const BRIDGE = 3;

export interface QuotePosition {
  hunk: number;
  index: number;
}

export function locate(file: FileDiff, ref: LineRef): QuotePosition | undefined {
  const hunk = file.hunks[ref.hunk];
  if (!hunk) return undefined;
  const index = hunk.lines.findIndex((l) =>
    l.status === ref.status && (ref.status === "del" ? l.oldLine === ref.oldLine : l.newLine === ref.newLine));
  return index >= 0 ? { hunk: ref.hunk, index } : undefined;
}

/** Positions to quote for one comment, anchor first in priority, capped at `max`. */
export function quotePositions(file: FileDiff, anchor: LineRef, related: LineRef[], max: number): QuotePosition[] {
  const wanted: QuotePosition[] = [];
  for (const ref of [anchor, ...related]) {
    const p = locate(file, ref);
    if (p && !wanted.some((w) => w.hunk === p.hunk && w.index === p.index)) wanted.push(p);
  }
  const chosen = wanted.slice(0, max);
  chosen.sort((a, b) => a.hunk - b.hunk || a.index - b.index);
  // Bridge short gaps inside a hunk so the quote reads as code.
  const out: QuotePosition[] = [];
  for (const p of chosen) {
    const last = out[out.length - 1];
    if (last && last.hunk === p.hunk && p.index - last.index > 1 && p.index - last.index <= BRIDGE + 1 && out.length + (p.index - last.index) <= max) {
      for (let i = last.index + 1; i < p.index; i++) out.push({ hunk: p.hunk, index: i });
    }
    out.push(p);
  }
  return out;
}

export function renderQuote(file: FileDiff, positions: QuotePosition[]): string[] {
  const lines: string[] = [];
  let previous: QuotePosition | undefined;
  for (const p of positions) {
    const hunk = file.hunks[p.hunk]!;
    if (!previous || previous.hunk !== p.hunk) {
      if (previous) lines.push(">");
      lines.push(`> ${hunk.header}`);
      if (p.index > 0) lines.push("> [...]");
    } else if (p.index - previous.index > 1) {
      lines.push("> [...]");
    }
    const l = hunk.lines[p.index]!;
    lines.push(`> ${PREFIX[l.status]}${l.text}`);
    previous = p;
  }
  return lines;
}
