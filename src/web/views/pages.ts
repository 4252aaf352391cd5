// The dashboard's pages, rendered on the server from the data in
// dashboard-data.ts. Every value from mail is escaped by html``.
import type { RuleMeta } from "../../rules/types.js";
import type { OutboxEntry } from "../../store/store.js";
import type { FindingView } from "../../store/views.js";
import type { OverviewData, seriesData } from "../dashboard-data.js";
import { html, loreUrl, query, type SafeHtml } from "../html.js";
import { weeklyChart } from "../svg-chart.js";
import { filterForm, findingBlock } from "./parts.js";

const when = (iso: string | undefined) => (iso ? iso.replace("T", " ").slice(0, 16) : "never");

export function overviewPage(d: OverviewData): SafeHtml {
  const statusLine = ["open", "replied", "held", "addressed"].map((s) => html`<span class="status ${s}">${s}</span> ${d.byStatus[s] ?? 0}`);
  return html`
${filterForm(d.filters, d.choices)}
<p>${d.total} findings: ${statusLine.map((s, i) => html`${i ? " · " : ""}${s}`)}</p>
<h2>Findings per week</h2>
${weeklyChart(d.weekly, d.categories)}
<h2>Findings per list and category</h2>
<div class="scroll"><table><tr><th>list</th><th>category</th><th>findings</th></tr>
${d.byListCategory.map((c) => html`<tr><td><a href="/${query({ ...d.filters, list: c.list })}">${c.list}</a></td><td><a href="/${query({ ...d.filters, category: c.category })}">${c.category}</a></td><td>${c.count}</td></tr>`)}
</table></div>
<h2>Series</h2>
<div class="scroll"><table><tr><th>series</th><th>author</th><th>list</th><th>newest</th><th>findings</th>${d.choices.maintainers.length ? html`<th>maintainers</th>` : ""}</tr>
${d.series.map((s) => html`<tr><td><a href="/series/${encodeURIComponent(s.root)}">${s.title}</a></td><td>${s.author ?? ""}</td><td>${s.list}</td><td>v${s.newestVersion} ${when(s.newestDate).slice(0, 10)}</td>
<td>${Object.entries(s.byStatus).map(([k, v], i) => html`${i ? ", " : ""}<span class="status ${k}">${k}</span> ${v}`)}</td>${d.choices.maintainers.length ? html`<td>${s.maintainers.join(", ")}</td>` : ""}</tr>`)}
</table></div>
<h2>Poller health</h2>
<div class="scroll"><table><tr><th>list</th><th>source</th><th>last fetch</th><th>last success</th><th>hours since</th><th>newest message</th><th>messages</th><th>errors</th><th>last error</th></tr>
${d.health.map((h) => html`<tr><td>${h.list}</td><td>${h.type}</td><td>${when(h.lastFetchAt)}</td><td>${when(h.lastSuccessAt)}</td><td>${h.lagHours ?? ""}</td><td>${when(h.newestMessageDate)}</td><td>${h.messages}</td>
<td>${h.ingestErrors + h.consecutiveFailures}</td><td>${h.lastError ?? ""}</td></tr>`)}
</table></div>`;
}

export function seriesPage(s: NonNullable<Awaited<ReturnType<typeof seriesData>>>): SafeHtml {
  return html`
<p>${s.author ?? ""} · lists: ${s.lists.join(", ")}${s.maintainers.length ? html` · maintainers: ${s.maintainers.join(", ")}` : ""} · <a href="${loreUrl(s.key)}">on lore</a></p>
${s.versions.map(
  (v) => html`<h2>v${v.version} <small class="muted"><a href="${loreUrl(v.root)}">${v.root}</a></small></h2>
${v.patches.map(
  (p) => html`<h3>${p.subject} <small><a href="${loreUrl(p.messageId)}">lore</a></small></h3>
${p.kind === "cover" ? html`<p class="muted">cover letter</p>` : !p.reviewed ? html`<p class="muted">no GUP/pin usage: not reviewed</p>` : p.findings.length === 0 ? html`<p class="muted">reviewed: no findings</p>` : ""}
${p.noReplyReason ? html`<p class="muted">no reply: ${p.noReplyReason}</p>` : ""}
${p.findings.map((f) => findingBlock(f))}`,
)}`,
)}`;
}

export function rulesIndexPage(rules: readonly RuleMeta[]): SafeHtml {
  return html`<div class="scroll"><table><tr><th>rule</th><th>category</th><th>severity</th><th>cases</th><th>checks</th></tr>
${rules.map((r) => html`<tr><td><a href="/rules/${encodeURIComponent(r.id)}">${r.id}</a></td><td>${r.category}</td><td>${r.severity}</td><td>${r.cases.join(", ")}</td><td>${r.description}</td></tr>`)}
</table></div>`;
}

export function rulePage(meta: RuleMeta, hits: readonly FindingView[]): SafeHtml {
  return html`<p>${meta.description}</p>
<p>Category <b>${meta.category}</b>, severity <b>${meta.severity}</b>, pin_user_pages.rst: ${meta.cases.join(", ")}.
Cites <a href="${meta.citation.url}">${meta.citation.title}</a>. Documentation: <code>docs/rules/${meta.id}.md</code>.</p>
<h2>Recent hits</h2>
${hits.length ? hits.map((f) => findingBlock(f, { showPatch: true })) : html`<p>None yet.</p>`}`;
}

/** The outbox, for a logged-in moderator: `csrf` goes into each approve and reject form. */
export function outboxPage(entries: readonly OutboxEntry[], csrf: string): SafeHtml {
  const held = entries.filter((e) => e.state === "held");
  const actions = (e: OutboxEntry) =>
    e.state === "held"
      ? html`<form class="inline" method="post" action="/outbox/${e.id}/approve"><input type="hidden" name="csrf" value="${csrf}"><button>Approve</button></form>
<form class="inline" method="post" action="/outbox/${e.id}/reject"><input type="hidden" name="csrf" value="${csrf}"><button>Reject</button></form>`
      : "";
  const row = (e: OutboxEntry) => html`<tr id="o${e.id}"><td>${e.id}</td><td><span class="status">${e.state}</span></td><td>${e.mode}</td><td>${e.list}</td>
<td>${e.inReplyTo ? html`<a href="/series/${encodeURIComponent(e.inReplyTo)}">${e.subject}</a>` : e.subject}</td><td>${e.recipients.join(", ")}</td><td>${e.attempts}</td><td>${e.lastError ?? ""}</td><td>${actions(e)}</td></tr>`;
  const table = (list: readonly OutboxEntry[]) => html`<div class="scroll"><table><tr><th>#</th><th>state</th><th>mode</th><th>list</th><th>subject</th><th>to</th><th>attempts</th><th>last error</th><th></th></tr>${list.map(row)}</table></div>`;
  return html`
<h2>Moderation queue (${held.length} held)</h2>
${held.length ? table(held) : html`<p>Nothing is waiting.</p>`}
${held.map((e) => html`<details><summary>Reply ${e.id} as it would be sent</summary><pre>${e.raw.replace(/\r\n/g, "\n")}</pre></details>`)}
<h2>All replies</h2>
${table(entries)}`;
}

export function loginPage(error?: string): SafeHtml {
  return html`${error ? html`<p class="error">${error}</p>` : ""}
<form method="post" action="/login"><label>Token <input type="password" name="token" autocomplete="current-password" autofocus></label> <button>Log in</button></form>`;
}
