// Message-ID lists and the kind of a message from its subject tags: what
// both the header scan of every message and the full parse of a patch need,
// kept apart from mailparser so the scan loads none of it.
import { createHash } from "node:crypto";
import type { parseSubject } from "./parse-subject.js";
import type { MailKind } from "./types.js";

/** A stable made-up Message-ID for a message that has none. */
export function syntheticMessageId(bytes: Buffer): string {
  return `missing-id-${createHash("sha1").update(bytes).digest("hex").slice(0, 16)}@pinwatch.invalid`;
}

export function stripAngles(id: string): string {
  return id.trim().replace(/^<+/, "").replace(/>+$/, "").trim();
}

export function idList(value: string | string[] | undefined): string[] {
  if (!value) return [];
  const joined = Array.isArray(value) ? value.join(" ") : value;
  const ids = joined.match(/<[^<>\s]+>/g);
  if (ids) return ids.map(stripAngles);
  return joined.split(/\s+/).filter(Boolean).map(stripAngles);
}

export function classify(tags: ReturnType<typeof parseSubject>, inReplyTo: string | undefined): MailKind {
  if (tags.isReply) return "reply";
  if (tags.isPull) return "other";
  if (tags.isPatch) {
    if (tags.index === 0) return "cover";
    return "patch";
  }
  // Untagged: a reply that dropped "Re:", or list chatter with or without a
  // diff (pull requests, pasted snippets): never a patch we review.
  return inReplyTo ? "reply" : "other";
}
