// How a patch relates to its earlier versions. The store finds the
// predecessor (same author and title with a lower or equal version, the
// patch it was sent in reply to, the same change-id posting at the same
// index, or the same patch-id); this file holds the shapes that travel with
// a patch to its review, and the pure comparison of findings across versions
// by fingerprint (rule + file + function + the anchored line's text).

/** What identifies a patch across versions, read from its headers and diff. */
export interface LineageKeys {
  messageId: string;
  fromAddress?: string;
  title: string;
  version: number;
  index?: number;
  inReplyTo?: string;
  /** The first Reference: the cover letter or first patch of its posting. */
  threadRoot?: string;
  patchId?: string;
}

export interface PriorFinding {
  fingerprint: string;
  rule: string;
  /** The version, and the patch, where this finding was first reported. */
  firstVersion: number;
  firstMessageId: string;
  /**
   * lore link to the first reply that carried this comment in full and was
   * actually mailed (SMTP, or seen on a list); unset while every such reply
   * is held, dry-run or unsent, and then the comment goes out in full again.
   */
  firstReplyUrl?: string;
  /** The version that reply answered. */
  firstReplyVersion?: number;
  /** A moderator rejected pinwatch's reply on that version: not raised again. */
  rejectedByModerator?: boolean;
}

/** The review of a patch's closest earlier version (or earlier posting of the same version). */
export interface PriorReview {
  messageId: string;
  version: number;
  findings: PriorFinding[];
  /** Its GUP/pin hunks' digest: the same digest on a later version means nothing changed there. */
  gupDigest?: string;
}

export type FindingStatus = "new" | "still-present" | "addressed";

/** The lore link to a message by its Message-ID (lore's redirector finds its list). */
export function loreLink(messageId: string): string {
  return `https://lore.kernel.org/r/${messageId}/`;
}

/** Splits this version's findings into those already reported on an earlier version and the rest. */
export function carriedOver<T extends { fingerprint: string }>(findings: readonly T[], prior: PriorReview | undefined): { fresh: T[]; carried: { finding: T; first: PriorFinding }[] } {
  const earlier = new Map((prior?.findings ?? []).map((f) => [f.fingerprint, f]));
  const fresh: T[] = [];
  const carried: { finding: T; first: PriorFinding }[] = [];
  for (const f of findings) {
    const first = earlier.get(f.fingerprint);
    if (first) carried.push({ finding: f, first });
    else fresh.push(f);
  }
  return { fresh, carried };
}
