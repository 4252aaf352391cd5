// Lookups over the API-effects table: a row by name, an argument position for
// a call's arity, what is available in a kernel release, and which names
// select a hunk for review. Everything here is derived from src/api/effects.ts.
import { compareVersions } from "./kernel-releases.js";
import { API_ROWS } from "./effects.js";
import type { AcquireMode, ApiRow, ArgPos, ReleaseKind } from "./effect-types.js";

const BY_NAME: ReadonlyMap<string, ApiRow> = new Map(API_ROWS.map((r) => [r.name, r]));

export function apiRow(name: string): ApiRow | undefined {
  return BY_NAME.get(name);
}

export function allRows(): readonly ApiRow[] {
  return API_ROWS;
}

/** The argument index for a call with `arity` arguments, if the row's signature has one for it. */
export function argIndex(pos: ArgPos | undefined, arity: number): number | undefined {
  if (pos === undefined) return undefined;
  if (typeof pos === "number") return pos < arity ? pos : undefined;
  const at = pos[arity];
  return at !== undefined && at < arity ? at : undefined;
}

/** The symbol exists in `version` (undefined: the newest tree). */
export function availableIn(row: ApiRow, version: string | undefined): boolean {
  if (!version) return !row.era?.removed;
  if (row.era?.since && compareVersions(version, row.era.since) < 0) return false;
  if (row.era?.removed && compareVersions(version, row.era.removed) >= 0) return false;
  return true;
}

/** The release kinds that correctly drop what an acquisition of `mode` took, newest first. */
export function releaseKindsFor(mode: AcquireMode): readonly ReleaseKind[] {
  switch (mode) {
    case "get":
      // put_user_page*() (5.2-5.5) was put_page() under a new name until pins got their own count in 5.6.
      return ["put", "put-user-page"];
    case "pin":
      return ["unpin", "put-user-page", "unpin-folio"];
    case "extract":
      return ["unpin", "unpin-folio"];
    case "pin-folio":
      return ["unpin-folio"];
    case "frame-vector":
      return ["frame-vector"];
  }
}

/** A release of `kind` is right for pages taken in `mode`. */
export function releaseMatches(mode: AcquireMode, kind: ReleaseKind): boolean {
  return kind === "matching" || releaseKindsFor(mode).includes(kind);
}

/** Rows whose release has `kind` and `shape`, available in `version`, in table order. */
export function releasersOf(kind: ReleaseKind, shape: string, version: string | undefined): ApiRow[] {
  return API_ROWS.filter((r) => r.release?.kind === kind && r.release.shape === shape && availableIn(r, version));
}

/** Acquirer rows of `mode`, available in `version`. */
export function acquirersOf(mode: AcquireMode, version: string | undefined): ApiRow[] {
  return API_ROWS.filter((r) => r.acquire?.mode === mode && r.selects && availableIn(r, version));
}

/** Rows that can stand in for each other at a call (same arguments, same effect). */
export function equivalentRows(name: string): ApiRow[] {
  const row = BY_NAME.get(name);
  if (!row) return [];
  const family = row.sameAs ?? row.name;
  return API_ROWS.filter((r) => r.name !== name && (r.name === family || r.sameAs === family));
}

const SELECTED = API_ROWS.filter((r) => r.selects).map((r) => r.name);
/** Acquirers and releasers also select their later variants (pin_user_pages_<new>). */
const FAMILIES = API_ROWS.filter((r) => r.selects && (r.acquire || r.release)).map((r) => r.name);

/** The names that make a hunk worth reviewing. */
export function selectedNames(): readonly string[] {
  return SELECTED;
}

const escape = (name: string) => name.replace(/[^A-Za-z0-9_]/g, "");
/** Identifier boundaries on both sides; a family name also matches its `_<suffix>` variants. */
const SELECT = new RegExp(
  `(?<![A-Za-z0-9_])(?:${[...FAMILIES.map((f) => `${escape(f)}_\\w+`), ...SELECTED.map(escape)].join("|")})(?![A-Za-z0-9_])`,
);

/** `text` names a selected API symbol, or a later variant of a selected acquirer or releaser. */
export function mentionsGupApi(text: string): boolean {
  return SELECT.test(text);
}

/**
 * Literal substrings, one of which every selected name contains: the raw-byte
 * prefilter looks for these with Buffer.indexOf before anything else runs (a
 * test checks they cover the table's selected names).
 */
export const SELECTED_NAME_ANCHORS = ["_user_page", "_user_folio", "FOLL_", "iov_iter_", "vaddr_frames", "frame_vector", "_pin_folio", "unpin_folio", "maybe_dma_pinned"] as const;
