// The lower bound's inputs (see bench-bound.ts), worked out before it is
// timed, with pinwatch's own scan and prefilter: which messages of the epoch
// need a review, what the store records of each, and the blob ids the floor
// reads.
import { execFileSync } from "node:child_process";
import { needsReview } from "../src/ingest/prefilter.js";
import { scanHeaders } from "../src/ingest/scan-headers.js";
import { catFileBatch } from "../src/sources/git.js";
import type { MessageMeta } from "../src/store/store.js";

export interface BoundInput {
  /** Blob ids of the messages in commit order (for --by-oid). */
  blobs: string[];
  /** Positions, in commit order, of the patches that need a review. */
  review: number[];
  /** What the store records of each message, in commit order. */
  messages: MessageMeta[];
}

export async function prepareBoundInput(gitDir: string): Promise<BoundInput> {
  const git = (args: string[], input?: string) => execFileSync("git", args, { cwd: gitDir, input, maxBuffer: 1 << 28 }).toString("latin1").split("\n").filter(Boolean);
  const names = git(["rev-list", "--reverse", "HEAD"]).map((commit) => `${commit}:m`);
  const input: BoundInput = { blobs: git(["cat-file", "--batch-check=%(objectname)"], names.map((n) => `${n}\n`).join("")), review: [], messages: [] };
  for await (const blob of catFileBatch(gitDir, names)) {
    const scan = blob.bytes && scanHeaders(blob.bytes);
    if (!blob.bytes || !scan) throw new Error(`bench: ${blob.oid} is not a message`);
    if (scan.meta.kind === "patch" && needsReview(blob.bytes, scan.bodyOffset)) input.review.push(input.messages.length);
    input.messages.push(scan.meta);
  }
  return input;
}
