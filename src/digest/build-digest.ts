// The digest: what pinwatch found since the last one, grouped by series,
// with what changed (findings addressed by a later version). Pure: findings
// in, a plain-text mail body and an HTML page out. Written to be read in a
// minute: one line per series up top, then each series' findings in short.
import type { FindingView } from "../store/views.js";
import { html, loreUrl, type SafeHtml } from "../web/html.js";
import { wrapText } from "../reply/wrap-text.js";

export interface DigestInput {
  since: Date;
  until: Date;
  /** Found in the period. */
  found: readonly FindingView[];
  /** Addressed by a version reviewed in the period (found earlier or now). */
  addressed: readonly FindingView[];
  dashboardUrl: string;
  /** What the digest is about: "all lists", "linux-mm", "maintainer x@y". */
  scope: string;
}

export interface Digest {
  subject: string;
  text: string;
  html: SafeHtml;
  findings: number;
}

interface SeriesGroup {
  root: string;
  title: string;
  author?: string;
  list: string;
  found: FindingView[];
  addressed: FindingView[];
}

function groups(input: DigestInput): SeriesGroup[] {
  const map = new Map<string, SeriesGroup>();
  const add = (f: FindingView, kind: "found" | "addressed") => {
    // Versions of one series, linked or not (a backfill may meet v9 before v5): same author, same title.
    const key = `${f.author ?? ""}\0${f.title}`;
    let g = map.get(key);
    if (!g) map.set(key, (g = { root: f.lineageRoot, title: f.title, author: f.author, list: f.list, found: [], addressed: [] }));
    if (!g[kind].some((x) => x.findingId === f.findingId)) g[kind].push(f);
  };
  for (const f of input.found) add(f, "found");
  for (const f of input.addressed) add(f, "addressed");
  // Series with errors first, then by how much there is.
  const weight = (g: SeriesGroup) => g.found.filter((f) => f.severity === "error").length * 10 + g.found.length;
  return [...map.values()].sort((a, b) => weight(b) - weight(a) || a.title.localeCompare(b.title));
}

const day = (d: Date) => d.toISOString().slice(0, 10);

function firstSentence(text: string): string {
  const m = /^(.+?[.?!])(\s|$)/s.exec(text.replace(/\s+/g, " "));
  return (m ? m[1]! : text).slice(0, 200);
}

export function buildDigest(input: DigestInput): Digest {
  const gs = groups(input);
  const newCount = input.found.length;
  const fixed = input.addressed.length;
  const subject = `pinwatch digest ${day(input.since)}..${day(input.until)}: ${newCount} new finding${newCount === 1 ? "" : "s"}, ${fixed} addressed (${input.scope})`;
  const out: string[] = [];
  out.push(`pinwatch digest for ${input.scope}, ${day(input.since)} to ${day(input.until)}.`, "");
  if (gs.length === 0) out.push("Nothing new: no GUP/pin findings, and none addressed, in this period.", "");
  else {
    out.push(`${newCount} new finding(s) in ${gs.filter((g) => g.found.length).length} series; ${fixed} addressed by a later version.`, "");
    for (const g of gs) {
      const errors = g.found.filter((f) => f.severity === "error").length;
      out.push(`* ${g.title}`);
      out.push(`  ${g.author ?? "unknown author"} on ${g.list}: ${g.found.length} new${errors ? ` (${errors} error)` : ""}, ${g.addressed.length} addressed`);
    }
    out.push("");
    for (const g of gs) {
      out.push(`== ${g.title}`, `   ${input.dashboardUrl}/series/${encodeURIComponent(g.root)}`);
      // One entry per problem, with the versions it was seen in and its latest status.
      const entries = new Map<string, FindingView[]>();
      for (const f of g.found) {
        const key = `${f.rule}\0${f.file}\0${f.function ?? ""}`;
        entries.set(key, [...(entries.get(key) ?? []), f]);
      }
      for (const same of entries.values()) {
        const latest = same.reduce((a, b) => (b.version > a.version ? b : a));
        const versions = [...new Set(same.map((f) => f.version))].sort((a, b) => a - b).map((v) => `v${v}`).join(", ");
        const since = latest.firstVersion < latest.version ? `, since v${latest.firstVersion}` : "";
        out.push(`   - ${latest.rule} [${latest.severity}] ${versions}: ${latest.status}${since}`);
        out.push(`     ${latest.file}${latest.function ? `: ${latest.function}()` : ""}`);
        out.push(wrapText(firstSentence(latest.message), 66).split("\n").map((l) => `     ${l}`).join("\n"));
      }
      const addressed = new Map<string, FindingView>();
      for (const f of g.addressed) addressed.set(`${f.rule}\0${f.file}\0${f.function ?? ""}`, f);
      for (const f of addressed.values()) out.push(`   - ${f.rule}: addressed in v${f.addressedVersion ?? "?"}`, `     ${f.file}${f.function ? `: ${f.function}()` : ""}`);
      out.push("");
    }
  }
  out.push("-- ", `pinwatch: ${input.dashboardUrl}`);
  const page = html`<p>${input.scope}, ${day(input.since)} to ${day(input.until)}: ${newCount} new findings, ${fixed} addressed.</p>
${gs.map(
  (g) => html`<h2><a href="/series/${encodeURIComponent(g.root)}">${g.title}</a></h2><p>${g.author ?? ""} on ${g.list} · <a href="${loreUrl(g.root)}">lore</a></p>
<ul>${g.found.map((f) => html`<li><span class="${f.severity}">${f.severity}</span> v${f.version} <a href="/rules/${encodeURIComponent(f.rule)}">${f.rule}</a> in <code>${f.file}</code>${f.function ? html` <code>${f.function}()</code>` : ""} (<span class="status ${f.status}">${f.status}</span>): ${firstSentence(f.message)}</li>`)}
${g.addressed.map((f) => html`<li><span class="status addressed">addressed in v${f.addressedVersion ?? "?"}</span> ${f.rule} in <code>${f.file}</code></li>`)}</ul>`,
)}${gs.length ? "" : html`<p>Nothing new in this period.</p>`}`;
  return { subject, text: out.join("\n") + "\n", html: page, findings: newCount };
}
