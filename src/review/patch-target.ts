// What tree a patch targets and which era it was written in: stable
// backports and pre-5.6 patches predate the pin API, so advice that
// recommends pin_user_pages*() must not be given to them.
import type { Mail } from "../mail/types.js";

export interface PatchTarget {
  /** A stable/LTS version the subject names ("5.10", "6.1.y"), if any. */
  stableVersion?: string;
  /** Aimed at a stable tree whose version the subject does not name ("[PATCH stable]"). */
  stableUnknown: boolean;
  /** The mail's date, if it had a valid one. */
  date?: Date;
  /** pin_user_pages() and the unpin_* helpers exist in the target tree. */
  hasPinApi: boolean;
}

/** pin_user_pages() was merged in the 5.6 merge window (late Jan 2020). Patches
 * written before that used get_user_pages() and FOLL_LONGTERM correctly. */
const PIN_API_DATE = Date.UTC(2020, 1, 1);

function versionBefore(version: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a < major || (a === major && b < minor);
}

export function patchTarget(mail: Mail): PatchTarget {
  const tree = mail.tags.tree;
  const stableVersion = tree && /^\d+\.\d+/.test(tree) ? tree : undefined;
  let hasPinApi = !mail.date || mail.date.getTime() >= PIN_API_DATE;
  if (stableVersion && versionBefore(stableVersion, 5, 6)) hasPinApi = false;
  const stableUnknown = !stableVersion && !!tree && /^stable$/i.test(tree);
  return { stableVersion, stableUnknown, date: mail.date, hasPinApi };
}
