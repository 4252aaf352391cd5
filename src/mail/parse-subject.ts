// Reads the tags of a kernel patch subject: "[RFC PATCH net-next v3 02/10]",
// "[PATCH RESEND 5.10.y]", "Re: [PATCH]", "[Linaro-mm-sig] Aw: ...".

export interface SubjectTags {
  /** The words inside every leading [...] group, in order. */
  prefixes: string[];
  /** True when a reply marker (Re:, Aw:, Fwd:, ...) stands before the text. */
  isReply: boolean;
  /** True when a bracket group says PATCH or RFC. */
  isPatch: boolean;
  isRfc: boolean;
  isResend: boolean;
  /** True for "[GIT PULL]" and friends. */
  isPull: boolean;
  /** 1 unless a vN tag says otherwise. */
  version: number;
  /** N and M of "N/M", when present. */
  index?: number;
  total?: number;
  /** A tree or stable-version tag such as "net-next", "mm-unstable", "6.1.y", "5.10". */
  tree?: string;
  /** The subject without prefixes: what stays the same across versions. */
  text: string;
}

const REPLY_MARKER = /^(re|aw|fwd?|sv|antw|vs|odp|r|tr|wg)\s*(\[\d+\])?\s*:\s*/i;
const BRACKET = /^\[([^\]]*)\]\s*/;

export function parseSubject(subject: string): SubjectTags {
  let rest = subject.replace(/\s+/g, " ").trim();
  const prefixes: string[] = [];
  let isReply = false;
  for (;;) {
    const reply = REPLY_MARKER.exec(rest);
    if (reply) {
      isReply = true;
      rest = rest.slice(reply[0].length);
      continue;
    }
    const bracket = BRACKET.exec(rest);
    if (bracket) {
      prefixes.push(bracket[1]!.trim());
      rest = rest.slice(bracket[0].length);
      continue;
    }
    break;
  }
  const words = prefixes.flatMap((p) => p.split(/[\s,]+/).filter(Boolean));
  const upper = words.map((w) => w.toUpperCase());
  const tags: SubjectTags = {
    prefixes,
    isReply,
    isPatch: upper.some((w) => w === "PATCH" || w === "RFC" || w.startsWith("PATCHV") || w === "RFCV" || /^RFCV\d+$/.test(w)),
    isRfc: upper.some((w) => w === "RFC" || /^RFCV\d+$/.test(w)),
    isResend: upper.includes("RESEND"),
    isPull: prefixes.some((p) => /\b(GIT\s+)?PULL\b/i.test(p)),
    version: 1,
    text: rest,
  };
  for (const w of words) {
    const version = /^(?:v|patchv|rfcv)(\d+)$/i.exec(w);
    if (version) tags.version = Number(version[1]);
    const position = /^(\d+)\/(\d+)$/.exec(w);
    if (position) {
      tags.index = Number(position[1]);
      tags.total = Number(position[2]);
    }
    const stable = /^(\d+\.\d+(?:\.\d+)?(?:\.y)?|stable)$/i.exec(w);
    if (stable) tags.tree = w;
    else if (/^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/i.test(w) && !tags.tree) tags.tree = w;
  }
  return tags;
}
