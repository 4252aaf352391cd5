// The lower bound's inputs (see bench-bound.ts), worked out before it is
// timed, with pinwatch's own scan and prefilter: which messages of the epoch
// need a review, each message's row, and the blob ids the floor reads.
import { execFileSync } from "node:child_process";
import { needsReview } from "../src/ingest/prefilter.js";
import { scanHeaders } from "../src/ingest/scan-headers.js";
import { catFileBatch } from "../src/sources/git.js";

export interface BoundInput {
  /** Blob ids of the messages in commit order (for --by-oid). */
  blobs: string[];
  /** Positions, in commit order, of the patches that need a review. */
  review: number[];
  /** One messages row per message in commit order (pinwatch's column order). */
  rows: unknown[][];
}

export async function prepareBoundInput(gitDir: string, list: string): Promise<BoundInput> {
  const git = (args: string[], input?: string) => execFileSync("git", args, { cwd: gitDir, input, maxBuffer: 1 << 28 }).toString("latin1").split("\n").filter(Boolean);
  const names = git(["rev-list", "--reverse", "HEAD"]).map((commit) => `${commit}:m`);
  const input: BoundInput = { blobs: git(["cat-file", "--batch-check=%(objectname)"], names.map((n) => `${n}\n`).join("")), review: [], rows: [] };
  const seenAt = new Date().toISOString();
  for await (const blob of catFileBatch(gitDir, names)) {
    const scan = blob.bytes && scanHeaders(blob.bytes);
    if (!blob.bytes || !scan) throw new Error(`bench: ${blob.oid} is not a message`);
    const m = scan.meta;
    if (m.kind === "patch" && needsReview(blob.bytes, scan.bodyOffset)) input.review.push(input.rows.length);
    input.rows.push([
      m.messageId, m.subject, m.fromAddress ?? null, m.date ?? null, m.kind, m.seriesKey ?? null, m.version, m.index ?? null, m.total ?? null,
      list, seenAt, m.title, m.inReplyTo ?? null, m.threadRoot ?? null, m.changeId ?? null, null,
    ]);
  }
  return input;
}
