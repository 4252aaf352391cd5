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
// - unless --no-store, inserts each message's row, computed in advance, into
//   pinwatch's SQLite schema in one transaction.
//
// Its inputs come from bench-bound-input.ts. Prints `prepared_ms=<n>`: the
// time spent loading them, which the caller takes off the wall time.
import Database from "better-sqlite3";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { catFileBatch } from "../src/sources/git.js";
import { MIGRATIONS } from "../src/store/migrations.js";
import type { BoundInput } from "./bench-bound-input.js";

const { values } = parseArgs({
  options: {
    "git-dir": { type: "string" },
    input: { type: "string" },
    database: { type: "string" },
    "by-oid": { type: "boolean", default: false },
    "no-store": { type: "boolean", default: false },
    "no-c": { type: "boolean", default: false },
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

const worker = new Worker(new URL("./bench-bound-worker.js", import.meta.url), { workerData: { parseC: !values["no-c"], expected: toReview.size } });
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

let db: Database.Database | undefined;
let insert: ((row: unknown[]) => void) | undefined;
if (!values["no-store"]) {
  const opened = new Database(values.database!);
  opened.pragma("journal_mode = WAL");
  opened.pragma("synchronous = NORMAL");
  for (const m of MIGRATIONS) opened.exec(m.sql);
  const message = opened.prepare(
    `INSERT OR IGNORE INTO messages (message_id, subject, from_address, date, kind, series_key, version, series_index, series_total, first_list, seen_at, title, in_reply_to, thread_root, change_id, patch_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const onList = opened.prepare("INSERT OR IGNORE INTO message_lists (message_id, list, seen_at) VALUES (?, ?, ?)");
  insert = (row) => {
    message.run(...row);
    onList.run(row[0], row[9], row[10]);
  };
  opened.exec("BEGIN");
  db = opened;
}

let position = 0;
for await (const blob of catFileBatch(gitDir, names)) {
  if (!blob.bytes) throw new Error(`${blob.oid} is missing`);
  if (toReview.has(position)) worker.postMessage(blob.bytes);
  insert?.(input.rows[position]!);
  position++;
}
if (position !== names.length) throw new Error(`read ${position} of ${names.length} messages`);
db?.exec("COMMIT");
db?.close();
await reviewed;
await worker.terminate();
console.log(`prepared_ms=${preparedMs.toFixed(1)}`);
