// The lower bound `npm run bench` sets beside pinwatch: a program that does
// only the work any implementation of the poll must do, with none of
// pinwatch's own logic, so its time is the least the issue's stack can take
// on this machine.
//
// What it does, as generously as possible:
// - lists the epoch's commits (rev-list) and reads each message through
//   git cat-file --batch with pinwatch's reader (about 1.2x the floor alone);
//   with --by-oid it reads the blob ids the floor reads, which a poller
//   cannot know without walking the commits;
// - hands the patches that need a review, known in advance (no header scan,
//   no prefilter), to a worker thread that runs mailparser and parse-diff on
//   them and, unless --no-c, tree-sitter on the new side of the hunks that
//   name a GUP symbol (no facts, no rules, no reply);
//   with --engine, the review engine itself instead (pinwatch's parse and
//   reviewMail() with every rule, on each patch alone);
// - unless --no-store, records each message, scanned in advance, with
//   pinwatch's SQLite store, a transaction per --commit-every messages
//   (the caller passes poller.commitEvery: the cursor may only pass what is
//   stored, so a poll commits as it reads).
//
// Its inputs come from bench-bound-input.ts. Prints `prepared_ms=<n>`: the
// time spent loading them, which the caller takes off the wall time.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { catFileBatch } from "../src/sources/git.js";
import { SqliteStore } from "../src/store/sqlite-store.js";
import type { MessageMeta } from "../src/store/store.js";
import type { BoundInput } from "./bench-bound-input.js";

const { values } = parseArgs({
  options: {
    "git-dir": { type: "string" },
    input: { type: "string" },
    database: { type: "string" },
    "by-oid": { type: "boolean", default: false },
    "no-store": { type: "boolean", default: false },
    "no-c": { type: "boolean", default: false },
    engine: { type: "boolean", default: false },
    "commit-every": { type: "string", default: "500" },
  },
});
const missing = ["git-dir", "input", ...(values["no-store"] ? [] : ["database"])].filter((name) => !values[name as keyof typeof values]);
if (missing.length > 0) {
  console.error(`bench-bound: missing ${missing.map((name) => `--${name}`).join(", ")}`);
  process.exit(2);
}
const gitDir = values["git-dir"]!;

const loadStart = performance.now();
const input = JSON.parse(readFileSync(values.input!, "utf8")) as BoundInput;
const toReview = new Set(input.review);
const preparedMs = performance.now() - loadStart;

const worker = new Worker(new URL("./bench-bound-worker.js", import.meta.url), { workerData: { parseC: !values["no-c"], engine: values.engine, expected: toReview.size } });
const reviewed = new Promise<void>((resolve, reject) => {
  worker.once("message", (reply: "done" | { error: string }) => (reply === "done" ? resolve() : reject(new Error(reply.error))));
  worker.once("error", reject);
});

const names = values["by-oid"]
  ? input.blobs
  : execFileSync("git", ["rev-list", "--reverse", "HEAD"], { cwd: gitDir, maxBuffer: 1 << 28 })
      .toString("latin1")
      .split("\n")
      .filter(Boolean)
      .map((commit) => `${commit}:m`);

const commitEvery = Number(values["commit-every"]);
const store = values["no-store"] ? undefined : new SqliteStore(values.database!);
let batch: MessageMeta[] = [];
const commit = async () => {
  await store?.commit({ sourceId: "bound:git", sourceType: "git", list: "bound", seen: batch, pending: [], reviews: [], resolvedPending: [], deletions: [], errors: [] });
  batch = [];
};

let position = 0;
for await (const blob of catFileBatch(gitDir, names)) {
  if (!blob.bytes) throw new Error(`${blob.oid} is missing`);
  if (toReview.has(position)) worker.postMessage(blob.bytes);
  if (store) {
    batch.push(input.messages[position]!);
    if (batch.length >= commitEvery) await commit();
  }
  position++;
}
if (position !== names.length) throw new Error(`read ${position} of ${names.length} messages`);
await commit();
await store?.close();
await reviewed;
await worker.terminate();
console.log(`prepared_ms=${preparedMs.toFixed(1)}`);
