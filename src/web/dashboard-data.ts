// What each dashboard page shows, as plain data: the HTML views and the
// JSON API render the same objects. Filters by list, category, author,
// status and date go to the store; the maintainer filter maps each
// finding's touched files through MAINTAINERS here.
import type { Config } from "../config/schema.js";
import type { MaintainersIndex } from "../maintainers/maintainers-file.js";
import type { Rule } from "../rules/types.js";
import type { Store } from "../store/store.js";
import type { DisplayStatus, FindingFilter, FindingView, SeriesView, SourceHealth } from "../store/views.js";
import type { FilterValues } from "./views/parts.js";
import type { WeekBar } from "./svg-chart.js";

export interface DashboardDeps {
  store: Store;
  config: Config;
  rules: readonly Rule[];
  maintainers?: MaintainersIndex;
  now?: () => Date;
}

const STATUSES: readonly DisplayStatus[] = ["open", "addressed", "replied", "held"];

/** The filter values a request may carry, cleaned: unknown statuses and malformed dates are dropped. */
export function cleanFilters(q: Record<string, unknown>): FilterValues {
  const str = (k: string) => (typeof q[k] === "string" && (q[k] as string).trim() ? (q[k] as string).trim().slice(0, 200) : undefined);
  const date = (k: string) => {
    const v = str(k);
    return v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? v : undefined;
  };
  const status = str("status");
  return {
    list: str("list"),
    category: str("category"),
    author: str("author"),
    maintainer: str("maintainer"),
    status: status && (STATUSES as string[]).includes(status) ? status : undefined,
    since: date("since"),
    until: date("until"),
  };
}

function storeFilter(f: FilterValues, extra: FindingFilter = {}): FindingFilter {
  return {
    list: f.list, category: f.category, author: f.author, status: f.status as DisplayStatus | undefined,
    since: f.since, until: f.until ? new Date(Date.parse(f.until) + 86400000).toISOString().slice(0, 10) : undefined, ...extra,
  };
}

export function maintainersOf(deps: DashboardDeps, f: FindingView): string[] {
  if (!deps.maintainers) return [];
  return deps.maintainers.maintainersOf([f.file]).map((p) => p.address);
}

export async function filteredFindings(deps: DashboardDeps, filters: FilterValues, extra: FindingFilter = {}): Promise<FindingView[]> {
  const findings = await deps.store.findings(storeFilter(filters, { limit: 20000, ...extra }));
  if (!filters.maintainer) return findings;
  const wanted = filters.maintainer.toLowerCase();
  return findings.filter((f) => maintainersOf(deps, f).some((a) => a.toLowerCase() === wanted));
}

function mondayOf(iso: string): string {
  const d = new Date(iso);
  const day = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day)).toISOString().slice(0, 10);
}

export interface SeriesSummary {
  root: string;
  title: string;
  author?: string;
  list: string;
  newestVersion: number;
  newestDate?: string;
  byStatus: Record<string, number>;
  maintainers: string[];
}

export function summariseSeries(deps: DashboardDeps, findings: readonly FindingView[]): SeriesSummary[] {
  const bySeries = new Map<string, SeriesSummary>();
  for (const f of findings) {
    // Versions of one series, linked or not: same author, same title.
    const key = `${f.author ?? ""}\0${f.title}`;
    let s = bySeries.get(key);
    if (!s) bySeries.set(key, (s = { root: f.lineageRoot, title: f.title, author: f.author, list: f.list, newestVersion: f.version, newestDate: f.date, byStatus: {}, maintainers: [] }));
    s.newestVersion = Math.max(s.newestVersion, f.version);
    if (f.date && (!s.newestDate || f.date > s.newestDate)) s.newestDate = f.date;
    s.byStatus[f.status] = (s.byStatus[f.status] ?? 0) + 1;
    for (const m of maintainersOf(deps, f)) if (!s.maintainers.includes(m)) s.maintainers.push(m);
  }
  return [...bySeries.values()].sort((a, b) => (b.newestDate ?? "").localeCompare(a.newestDate ?? ""));
}

export interface OverviewData {
  filters: FilterValues;
  choices: { lists: string[]; categories: string[]; maintainers: string[] };
  total: number;
  byStatus: Record<string, number>;
  byListCategory: { list: string; category: string; count: number }[];
  weekly: WeekBar[];
  categories: string[];
  health: (SourceHealth & { lagHours?: number })[];
  series: SeriesSummary[];
}

export async function overviewData(deps: DashboardDeps, filters: FilterValues): Promise<OverviewData> {
  const findings = await filteredFindings(deps, filters);
  const byStatus: Record<string, number> = {};
  const cells = new Map<string, { list: string; category: string; count: number }>();
  const weeks = new Map<string, WeekBar>();
  for (const f of findings) {
    byStatus[f.status] = (byStatus[f.status] ?? 0) + 1;
    const key = `${f.list}\0${f.category}`;
    const cell = cells.get(key) ?? { list: f.list, category: f.category, count: 0 };
    cell.count++;
    cells.set(key, cell);
    const week = mondayOf(f.date ?? f.reviewedAt);
    const bar = weeks.get(week) ?? { week, counts: {} };
    bar.counts[f.category] = (bar.counts[f.category] ?? 0) + 1;
    weeks.set(week, bar);
  }
  const now = (deps.now ?? (() => new Date()))().getTime();
  const health = (await deps.store.sourceHealth()).map((h) => ({
    ...h,
    lagHours: h.lastSuccessAt ? Math.round(((now - Date.parse(h.lastSuccessAt)) / 3600000) * 10) / 10 : undefined,
  }));
  const categories = [...new Set(deps.rules.map((r) => r.meta.category))].sort();
  const allMaintainers = new Set<string>();
  if (deps.maintainers) for (const f of findings) for (const m of maintainersOf(deps, f)) allMaintainers.add(m);
  if (filters.maintainer) allMaintainers.add(filters.maintainer);
  return {
    filters,
    choices: { lists: deps.config.lists.map((l) => l.name), categories, maintainers: [...allMaintainers].sort() },
    total: findings.length,
    byStatus,
    byListCategory: [...cells.values()].sort((a, b) => a.list.localeCompare(b.list) || b.count - a.count),
    weekly: [...weeks.values()].sort((a, b) => a.week.localeCompare(b.week)),
    categories,
    health,
    series: summariseSeries(deps, findings).slice(0, 200),
  };
}

export async function seriesData(deps: DashboardDeps, messageId: string): Promise<(SeriesView & { maintainers: string[] }) | undefined> {
  const series = await deps.store.series(messageId);
  if (!series) return undefined;
  const files = series.versions.flatMap((v) => v.patches.flatMap((p) => p.findings.map((f) => f.file)));
  return { ...series, maintainers: deps.maintainers ? deps.maintainers.maintainersOf(files).map((p) => `${p.name} <${p.address}>`) : [] };
}

export async function ruleData(deps: DashboardDeps, id: string) {
  const rule = deps.rules.find((r) => r.meta.id === id);
  if (!rule) return undefined;
  const hits = await deps.store.findings({ rule: id, limit: 50 });
  return { meta: rule.meta, docs: `docs/rules/${id}.md`, hits };
}
