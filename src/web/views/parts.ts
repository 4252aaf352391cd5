// Pieces shared by the pages: a finding with its quoted hunk, a status
// label, the filter form.
import type { FindingView } from "../../store/views.js";
import { html, loreUrl, query, type SafeHtml } from "../html.js";

export function statusLabel(f: FindingView): SafeHtml {
  const text = f.status === "addressed" ? `addressed in v${f.addressedVersion ?? "?"}` : f.status;
  return html`<span class="status ${f.status}">${text}</span>`;
}

export function findingBlock(f: FindingView, options: { showPatch?: boolean } = {}): SafeHtml {
  const carried = f.lineage === "still-present" || f.firstVersion < f.version ? html` <span class="muted">(still present since v${f.firstVersion})</span>` : "";
  return html`<div class="finding">
<div><span class="${f.severity}">${f.severity}</span> · <a href="/rules/${encodeURIComponent(f.rule)}">${f.rule}</a> · ${statusLabel(f)}${carried}
 · <code>${f.file}:${f.line}</code>${f.function ? html` in <code>${f.function}()</code>` : ""}</div>
${options.showPatch ? html`<div><a href="/series/${encodeURIComponent(f.seriesRoot)}">${f.subject}</a> · ${f.author ?? ""} · <a href="${loreUrl(f.messageId)}">lore</a></div>` : ""}
${f.excerpt ? html`<pre>${f.excerpt}</pre>` : ""}
<p>${f.message}</p>
${f.reply ? html`<div class="muted">reply: outbox <a href="/outbox#o${f.reply.id}">${f.reply.id}</a>, ${f.reply.state}${f.reply.deliveredVia ? ` via ${f.reply.deliveredVia}` : ""}</div>` : ""}
</div>`;
}

export interface FilterValues {
  list?: string;
  category?: string;
  author?: string;
  maintainer?: string;
  status?: string;
  since?: string;
  until?: string;
}

export function filterForm(values: FilterValues, choices: { lists: string[]; categories: string[]; maintainers: string[] }): SafeHtml {
  const select = (name: keyof FilterValues, options: string[]) =>
    html`<label>${name} <select name="${name}"><option value="">all</option>${options.map((o) => html`<option${o === values[name] ? html` selected` : ""}>${o}</option>`)}</select></label>`;
  return html`<form class="filters" method="get" action="/">
${select("list", choices.lists)}${select("category", choices.categories)}${select("status", ["open", "addressed", "replied", "held"])}
${choices.maintainers.length ? select("maintainer", choices.maintainers) : ""}
<label>author <input name="author" size="16" value="${values.author ?? ""}"></label>
<label>since <input name="since" type="date" value="${values.since ?? ""}"></label>
<label>until <input name="until" type="date" value="${values.until ?? ""}"></label>
<button>Filter</button> <a href="/">reset</a></form>`;
}

export function filterQuery(values: FilterValues): string {
  return query({ ...values });
}
