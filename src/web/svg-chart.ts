// A stacked bar chart drawn on the server as SVG: findings per week, one
// colour per category. No script, readable without CSS (each bar has a
// <title> with its numbers).
import { html, type SafeHtml } from "./html.js";

export interface WeekBar {
  week: string;
  counts: Record<string, number>;
}

const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295", "#8cd17d"];

export function weeklyChart(bars: readonly WeekBar[], categories: readonly string[]): SafeHtml {
  const width = 640;
  const height = 180;
  const left = 30;
  const bottom = 30;
  if (bars.length === 0) return html`<p>No findings in this period.</p>`;
  const max = Math.max(1, ...bars.map((b) => Object.values(b.counts).reduce((a, c) => a + c, 0)));
  const slot = (width - left) / bars.length;
  const barWidth = Math.max(2, Math.min(40, slot * 0.7));
  const scale = (height - bottom - 10) / max;
  const colour = (c: string) => PALETTE[categories.indexOf(c) % PALETTE.length]!;
  const rects = bars.map((b, i) => {
    let y = height - bottom;
    const x = left + i * slot + (slot - barWidth) / 2;
    const parts = categories.filter((c) => b.counts[c]).map((c) => {
      const h = b.counts[c]! * scale;
      y -= h;
      return html`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="${colour(c)}"><title>${b.week}: ${c} ${b.counts[c]!}</title></rect>`;
    });
    const label = i % Math.ceil(bars.length / 8) === 0 ? html`<text x="${x.toFixed(1)}" y="${height - bottom + 14}" font-size="10">${b.week.slice(5)}</text>` : "";
    return html`${parts}${label}`;
  });
  const legend = categories.map((c, i) => html`<tspan x="${left + (i % 4) * 150}" dy="${i % 4 === 0 && i > 0 ? 12 : 0}" fill="${colour(c)}">■ ${c}</tspan>`);
  return html`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="findings per week by category" width="${width}" height="${height + 12 * Math.ceil(categories.length / 4)}" viewBox="0 0 ${width} ${height + 12 * Math.ceil(categories.length / 4)}">
<line x1="${left}" y1="${height - bottom}" x2="${width}" y2="${height - bottom}" stroke="#888"/>
<text x="0" y="12" font-size="10">${max}</text>
${rects}
<text x="0" y="${height}" font-size="10">${legend}</text>
</svg>`;
}
