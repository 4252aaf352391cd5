// Writes composed replies as files: a plain directory of .eml files
// (`review --reply-dir`) or a maildir (the dry-run outbox), named by the
// reply's stable Message-ID so that writing twice never makes two copies.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PinwatchError } from "../errors.js";

/** The file name a reply gets, from its Message-ID (the maildir adds `.pinwatch`, the reply directory `.eml`). */
export function safeName(messageId: string): string {
  const readable = messageId.replace(/[^A-Za-z0-9._@-]/g, "_").slice(0, 80);
  return `${readable}-${createHash("sha1").update(messageId).digest("hex").slice(0, 8)}`;
}

/** Writes `raw` as DIR/<name>.eml; returns the path. */
export function writeEmlFile(dir: string, messageId: string, raw: string): string {
  const path = join(dir, `${safeName(messageId)}.eml`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, raw);
  } catch (cause) {
    throw new PinwatchError("PW_E_REPLY_WRITE", "cannot write the reply", { subject: path, cause });
  }
  return path;
}

/** Delivers `raw` into a maildir (tmp/ then rename into new/); false if it is already there. */
export function deliverToMaildir(dir: string, messageId: string, raw: string): { path: string; written: boolean } {
  const name = `${safeName(messageId)}.pinwatch`;
  const target = join(dir, "new", name);
  if (existsSync(target) || existsSync(join(dir, "cur", `${name}:2,`)) || existsSync(join(dir, "cur", `${name}:2,S`))) {
    return { path: target, written: false };
  }
  try {
    for (const sub of ["tmp", "new", "cur"]) mkdirSync(join(dir, sub), { recursive: true });
    const tmp = join(dir, "tmp", name);
    writeFileSync(tmp, raw);
    renameSync(tmp, target);
  } catch (cause) {
    throw new PinwatchError("PW_E_REPLY_WRITE", "cannot write into the outbox maildir", { subject: dir, cause });
  }
  return { path: target, written: true };
}
