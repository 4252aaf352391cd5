// The explicit, sorted registry of rules: id -> rule. No globbing, so a
// rule exists only when it is listed here (the meta-test checks the files).
import { dirtyThenRelease } from "./dirty-then-release.js";
import { gupDataAccess } from "./gup-data-access.js";
import { highmemAccess } from "./highmem-access.js";
import { internalFlag } from "./internal-flag.js";
import { leakOnErrorPath } from "./leak-on-error-path.js";
import { longtermFileBacked } from "./longterm-file-backed.js";
import { longtermWithoutPin } from "./longterm-without-pin.js";
import { missingFollWrite } from "./missing-foll-write.js";
import { mmuNotifierNoPin } from "./mmu-notifier-no-pin.js";
import { partialPinReturn } from "./partial-pin-return.js";
import { releaseDropsNullCheck } from "./release-drops-null-check.js";
import { releaseMismatch } from "./release-mismatch.js";
import { removedApi } from "./removed-api.js";
import { sleepInAtomic } from "./sleep-in-atomic.js";
import { structPageOnly } from "./struct-page-only.js";
import type { Rule } from "./types.js";

export const RULES: Readonly<Record<string, Rule>> = {
  "dirty-then-release": dirtyThenRelease,
  "gup-data-access": gupDataAccess,
  "highmem-access": highmemAccess,
  "internal-flag": internalFlag,
  "leak-on-error-path": leakOnErrorPath,
  "longterm-file-backed": longtermFileBacked,
  "longterm-without-pin": longtermWithoutPin,
  "missing-foll-write": missingFollWrite,
  "mmu-notifier-no-pin": mmuNotifierNoPin,
  "partial-pin-return": partialPinReturn,
  "release-drops-null-check": releaseDropsNullCheck,
  "release-mismatch": releaseMismatch,
  "removed-api": removedApi,
  "sleep-in-atomic": sleepInAtomic,
  "struct-page-only": structPageOnly,
};

export const ALL_RULES: readonly Rule[] = Object.values(RULES);

export { RULESET_VERSION } from "../review/ruleset-version.js";
