// Which kernel a patch is written for, and so which rows of the effects table
// exist for it: the stable version its subject names, or mainline as
// released on the mail's date. Judged conservatively both ways: an API is
// "removed" only once the release without it was out, and advice names an
// API only once a release had it (or the patch itself already uses it).
import { availableIn, apiRow } from "./catalog.js";
import { compareVersions, newestReleaseAt } from "./kernel-releases.js";
import type { Mail } from "../mail/types.js";

export interface TreeEra {
  /** A stable/LTS version the subject names ("5.10", "6.1.y"). */
  stable?: string;
  /** Aimed at a stable tree whose version the subject does not name. */
  unknownStable: boolean;
  /** The newest mainline release on the mail's date. */
  released?: string;
  date?: Date;
}

export function treeEra(mail: Pick<Mail, "tags" | "date">): TreeEra {
  const tree = mail.tags.tree;
  const stable = tree && /^\d+\.\d+/.test(tree) ? /^\d+\.\d+/.exec(tree)![0] : undefined;
  return {
    stable,
    unknownStable: !stable && !!tree && /^stable$/i.test(tree),
    released: mail.date ? newestReleaseAt(mail.date) : undefined,
    date: mail.date,
  };
}

/** The release availability is judged against (undefined: no date, judge against the newest tree). */
export function judgedVersion(era: TreeEra): string | undefined {
  return era.stable ?? era.released;
}

/**
 * The symbol can be named in advice to this patch: its tree has it, or the
 * patch already uses it (then whatever tree it targets has it).
 */
export function treeHas(era: TreeEra, name: string, usedByPatch: ReadonlySet<string> = new Set()): boolean {
  if (usedByPatch.has(name)) return true;
  const row = apiRow(name);
  if (!row) return false;
  if (era.unknownStable) return !row.era?.since;
  return availableIn(row, judgedVersion(era));
}

/** The symbol no longer exists in the tree this patch targets. */
export function goneFrom(era: TreeEra, removed: string | undefined): boolean {
  if (!removed || era.unknownStable) return false;
  const version = judgedVersion(era);
  return !!version && compareVersions(version, removed) >= 0;
}

/** The tree has reached `version` (a behaviour or rule that began then applies). */
export function reached(era: TreeEra, version: string): boolean {
  if (era.unknownStable) return false;
  const at = judgedVersion(era);
  return at === undefined || compareVersions(at, version) >= 0;
}
