// The kernel's MAINTAINERS file: sections of "X:\tvalue" lines under a
// title, matched against file paths the way scripts/get_maintainer.pl does:
// F: patterns (a trailing "/" or a directory name covers everything below
// it; "*" and "?" do not cross "/"), X: excludes, N: regular expressions on
// the path. A path's sections are ordered most specific first (the longest
// matching pattern), as get_maintainer.pl orders them.

export interface Person {
  name: string;
  address: string;
}

export interface MaintainersSection {
  title: string;
  maintainers: Person[];
  reviewers: Person[];
  lists: string[];
  status?: string;
  files: string[];
  excludes: string[];
  regexes: string[];
}

export interface SectionMatch {
  section: MaintainersSection;
  /** Length of the matching pattern: more is more specific. */
  specificity: number;
}

function person(value: string): Person {
  const m = /^(.*?)\s*<([^>]+)>/.exec(value);
  return m ? { name: m[1]!.replace(/^"|"$/g, "").trim(), address: m[2]!.trim() } : { name: "", address: value.trim() };
}

/** Parses MAINTAINERS text; the free-text preamble (before the first section) is skipped. */
export function parseMaintainers(text: string): MaintainersSection[] {
  const sections: MaintainersSection[] = [];
  let current: MaintainersSection | undefined;
  let started = false;
  for (const line of text.split(/\r?\n/)) {
    const field = /^([A-Z]):\s*(.*)$/.exec(line);
    if (field) {
      if (!current) continue;
      started = true;
      const [, tag, value] = field as unknown as [string, string, string];
      if (tag === "M") current.maintainers.push(person(value));
      else if (tag === "R") current.reviewers.push(person(value));
      else if (tag === "L") current.lists.push(value.split(/\s+/)[0]!);
      else if (tag === "S") current.status = value;
      else if (tag === "F") current.files.push(value.trim());
      else if (tag === "X") current.excludes.push(value.trim());
      else if (tag === "N") current.regexes.push(value.trim());
      continue;
    }
    if (line.trim() === "") {
      current = undefined;
      continue;
    }
    // A title line starts a section (only once fields have been seen, or after a blank line).
    if (!current || !started) {
      current = { title: line.trim(), maintainers: [], reviewers: [], lists: [], files: [], excludes: [], regexes: [] };
      sections.push(current);
      started = false;
    }
  }
  return sections.filter((s) => s.files.length > 0 || s.regexes.length > 0);
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
  return new RegExp(`^${body}$`);
}

/** Does F:/X: pattern `pattern` cover `path`? */
export function patternMatches(pattern: string, path: string): boolean {
  const isDir = pattern.endsWith("/");
  const clean = isDir ? pattern.slice(0, -1) : pattern;
  // A plain name is a file, or a directory with everything below it.
  if (!/[*?]/.test(clean)) return path === clean || path.startsWith(`${clean}/`);
  const depth = clean.split("/").length;
  const segments = path.split("/");
  if (segments.length < depth || !globToRegExp(clean).test(segments.slice(0, depth).join("/"))) return false;
  // "dir/*.c" covers files at that depth only; "dir/*/" everything below.
  return isDir || segments.length === depth;
}

export class MaintainersIndex {
  constructor(readonly sections: readonly MaintainersSection[]) {}

  /** The sections covering `path`, most specific first. */
  match(path: string): SectionMatch[] {
    const out: SectionMatch[] = [];
    for (const section of this.sections) {
      if (section.excludes.some((x) => patternMatches(x, path))) continue;
      let best = -1;
      for (const f of section.files) if (patternMatches(f, path)) best = Math.max(best, f.replace(/[*?].*$/, "").length);
      for (const n of section.regexes) {
        try {
          if (new RegExp(n).test(path)) best = Math.max(best, 1);
        } catch {
          // A pattern Perl accepts and JavaScript does not: skip it.
        }
      }
      if (best >= 0) out.push({ section, specificity: best });
    }
    return out.sort((a, b) => b.specificity - a.specificity);
  }

  /** Maintainers (M:) of the most specific sections covering the files, without duplicates. */
  maintainersOf(paths: readonly string[]): Person[] {
    const seen = new Map<string, Person>();
    for (const path of paths) {
      const matches = this.match(path);
      // get_maintainer.pl's default: the most specific sections; THE REST (everything) is not a maintainer.
      const top = matches.filter((m) => m.section.maintainers.length > 0 && m.section.title !== "THE REST");
      const bestSpecificity = top[0]?.specificity;
      for (const m of top.filter((t) => t.specificity === bestSpecificity)) {
        for (const p of m.section.maintainers) if (!seen.has(p.address.toLowerCase())) seen.set(p.address.toLowerCase(), p);
      }
    }
    return [...seen.values()];
  }

  listsOf(paths: readonly string[]): string[] {
    const lists = new Set<string>();
    for (const path of paths) for (const m of this.match(path)) for (const l of m.section.lists) lists.add(l);
    return [...lists];
  }
}
