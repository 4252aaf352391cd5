// Picks the series to review out of a fetched thread, as `b4 am` does: the
// patches (not the replies) grouped by revision, the newest revision unless
// one is asked for, each N of N/M once in order, and the patches a partial
// reroll did not resend taken from the newest earlier revision that has
// them. Pure: parsed mail in, the selection out.
import type { Mail } from "../mail/types.js";

export interface SeriesSelection {
  /** The revision reviewed (vN). */
  version: number;
  /** Revisions the thread holds, oldest first. */
  versions: number[];
  /** The patches to review, in series order. */
  patches: Mail[];
  cover?: Mail;
  /** Indexes taken from an earlier revision (a partial reroll). */
  carriedFrom: { index: number; version: number }[];
  /** Indexes of N/M still missing. */
  missing: number[];
  /** Every other message of the thread: replies, other revisions, duplicates. */
  skipped: Mail[];
}

const byDate = (a: Mail, b: Mail) => (a.date?.getTime() ?? 0) - (b.date?.getTime() ?? 0);

/** undefined when the thread holds no patch at all (or not the revision asked for). */
export function selectSeries(thread: readonly Mail[], useVersion?: number): SeriesSelection | undefined {
  const postings = thread.filter((m) => m.kind === "patch" || m.kind === "cover");
  const versions = [...new Set(postings.filter((m) => m.kind === "patch").map((m) => m.tags.version))].sort((a, b) => a - b);
  if (versions.length === 0) return undefined;
  const version = useVersion ?? versions[versions.length - 1]!;
  if (!versions.includes(version)) return undefined;

  const ofVersion = (v: number) => postings.filter((m) => m.tags.version === v).sort(byDate);
  const chosen = ofVersion(version);
  const cover = chosen.find((m) => m.kind === "cover");
  const patches = chosen.filter((m) => m.kind === "patch");
  // One patch per index: the first posted (a resent duplicate is skipped); unnumbered patches all stay.
  const byIndex = new Map<number, Mail>();
  const unnumbered: Mail[] = [];
  for (const p of patches) {
    if (p.tags.index === undefined) unnumbered.push(p);
    else if (!byIndex.has(p.tags.index)) byIndex.set(p.tags.index, p);
  }
  const total = Math.max(0, ...patches.map((p) => p.tags.total ?? 0));
  const carriedFrom: SeriesSelection["carriedFrom"] = [];
  const missing: number[] = [];
  for (let n = 1; n <= total; n++) {
    if (byIndex.has(n)) continue;
    // A partial reroll resends only the patches that changed.
    const earlier = versions.filter((v) => v < version).reverse().map((v) => ofVersion(v).find((m) => m.kind === "patch" && m.tags.index === n && m.tags.total === total)).find(Boolean);
    if (earlier) {
      byIndex.set(n, earlier);
      carriedFrom.push({ index: n, version: earlier.tags.version });
    } else missing.push(n);
  }
  const selected = [...[...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m), ...unnumbered];
  const kept = new Set<Mail>(selected);
  if (cover) kept.add(cover);
  return { version, versions, patches: selected, cover, carriedFrom, missing, skipped: thread.filter((m) => !kept.has(m)) };
}
