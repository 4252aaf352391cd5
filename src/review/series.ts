// Which patches belong to one posting of a series: the same thread root, the
// same version and the same sender, with an "N/M" index. A conversion spread
// over a series (acquisition changed in 2/5, release in 3/5) is judged with
// its sibling patches in view, not patch by patch.
import type { Mail } from "../mail/types.js";

export function seriesKey(mail: Pick<Mail, "kind" | "tags" | "references" | "inReplyTo" | "from">): string | undefined {
  if (mail.kind !== "patch" || !mail.tags.total || mail.tags.total < 2) return undefined;
  const root = mail.references[0] ?? mail.inReplyTo;
  if (!root) return undefined;
  return [root, `v${mail.tags.version}`, mail.from?.address.toLowerCase() ?? ""].join("|");
}

/** The other patches of `mail`'s posting within `group` (a resent duplicate of itself excluded). */
export function siblingsIn(group: readonly Mail[], mail: Mail): Mail[] {
  return group.filter((m) => m !== mail && m.tags.index !== mail.tags.index);
}

/** Every N of N/M is among `indexes`. */
export function postingComplete(indexes: Iterable<number | undefined>, total: number): boolean {
  const have = new Set(indexes);
  return total > 0 && Array.from({ length: total }, (_, i) => i + 1).every((n) => have.has(n));
}

/**
 * Holds the patches of series postings until every N of N/M has arrived, so
 * only open series stay in memory while an archive streams past.
 */
export class OpenSeries {
  private readonly open = new Map<string, Mail[]>();

  /** Adds a patch of a series; returns the whole posting once it is complete. */
  add(mail: Mail, key: string): Mail[] | undefined {
    const group = [...(this.open.get(key) ?? []), mail];
    if (postingComplete(group.map((m) => m.tags.index), mail.tags.total ?? 0)) {
      this.open.delete(key);
      return group;
    }
    this.open.set(key, group);
    return undefined;
  }

  /** Every posting still incomplete (a series only partly in the input). */
  drain(): Mail[][] {
    const groups = [...this.open.values()];
    this.open.clear();
    return groups;
  }
}
