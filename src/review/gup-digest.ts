// What a patch does to GUP/pin code, as one digest that ignores whitespace
// and line wrapping: per file (not excluded), the added and the removed text
// of the hunks that touch the GUP/pin API, each run together with all
// whitespace dropped. A new version that only re-indents or re-wraps those
// hunks (or changes other hunks, the commit message, the subject) has the
// same digest as the one before, and gets no new mail. Pure.
import { createHash } from "node:crypto";
import { hunkTouchesGup, isExcludedPath, type FileDiff } from "../diff/parse-patch.js";

/** undefined when the patch has no GUP/pin hunk at all. */
export function gupDigest(files: readonly FileDiff[], excludePaths: readonly string[]): string | undefined {
  const touched = files
    .filter((f) => !isExcludedPath(f.path, excludePaths))
    .map((f) => ({ path: f.path, hunks: f.hunks.filter(hunkTouchesGup) }))
    .filter((f) => f.hunks.length > 0)
    .sort((a, b) => a.path.localeCompare(b.path));
  if (touched.length === 0) return undefined;
  const hash = createHash("sha1");
  for (const file of touched) {
    const lines = file.hunks.flatMap((h) => h.lines);
    // Joined before whitespace is dropped: a line split in two reads as the line it was.
    const text = (status: "add" | "del") => lines.filter((l) => l.status === status).map((l) => l.text).join("").replace(/\s+/g, "");
    hash.update(`${file.path}\0+${text("add")}\0-${text("del")}\0`);
  }
  return hash.digest("hex").slice(0, 20);
}

/** This version's GUP/pin hunks are its predecessor's, whitespace and wrapping aside. */
export function gupHunksUnchanged(digest: string | undefined, prior: { gupDigest?: string } | undefined): boolean {
  return !!digest && digest === prior?.gupDigest;
}
