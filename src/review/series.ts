// Which patches belong to one posting of a series: the same thread root, the
// same version and the same sender, with an "N/M" index. A conversion spread
// over a series (acquisition changed in 2/5, release in 3/5) is judged with
// its sibling patches in view, not patch by patch.
import type { Mail } from "../mail/types.js";

export function seriesKey(mail: Mail): string | undefined {
  if (mail.kind !== "patch" || !mail.tags.total || mail.tags.total < 2) return undefined;
  const root = mail.references[0] ?? mail.inReplyTo;
  if (!root) return undefined;
  return [root, `v${mail.tags.version}`, mail.from?.address.toLowerCase() ?? ""].join("|");
}

/** Groups mails by series; each patch maps to its siblings (itself excluded). */
export function seriesSiblings(mails: readonly Mail[]): Map<Mail, Mail[]> {
  const groups = new Map<string, Mail[]>();
  for (const mail of mails) {
    const key = seriesKey(mail);
    if (key) groups.set(key, [...(groups.get(key) ?? []), mail]);
  }
  const out = new Map<Mail, Mail[]>();
  for (const group of groups.values()) {
    for (const mail of group) out.set(mail, group.filter((m) => m !== mail && m.tags.index !== mail.tags.index));
  }
  return out;
}
