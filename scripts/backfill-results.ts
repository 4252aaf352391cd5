// What a backfill stored, in a form two runs can be compared by: every
// message, the lists it was seen on, reviews, findings, replies, patches
// still pending, errors and cursors, sorted, without row ids or the times of
// the run. Used to check that a change to the pipeline leaves its results
// as they were:
//
//   node dist/scripts/backfill-results.js --dev-corpus --out before.json
//   (change the pipeline, npm run build)
//   node dist/scripts/backfill-results.js --dev-corpus --compare before.json
//
// --dev-corpus backfills ../shared/corpus/emails (one list per folder);
// --epoch DIR a public-inbox epoch (a bare git repository, e.g. the bench's
// cached one under var/bench/); --database FILE dumps a store as it is.
// Each backfill runs `pinwatch poll --once` on a fresh store, as a user would.
import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { stringify } from "yaml";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const shared = process.env.PINWATCH_SHARED ?? resolve(root, "..", "shared");

type Row = Record<string, unknown>;
export type BackfillResults = Record<string, Row[]>;

/** The stored results, each table sorted, with nothing that differs between two runs of the same backfill. */
export function dumpResults(databasePath: string): BackfillResults {
  const db = new Database(databasePath, { readonly: true });
  try {
    const all = (sql: string) => db.prepare(sql).all() as Row[];
    return {
      sources: all("SELECT source_id, list, type, cursor FROM sources ORDER BY source_id"),
      messages: all(
        `SELECT message_id, subject, from_address, date, kind, series_key, version, series_index, series_total, first_list, deleted_at,
                title, in_reply_to, thread_root, change_id, patch_id FROM messages ORDER BY message_id`,
      ),
      messageLists: all("SELECT message_id, list FROM message_lists ORDER BY message_id, list"),
      reviews: all(
        `SELECT message_id, ruleset_version, finding_count, error_code, error_message, version, predecessor, touched_files, no_reply_reason, gup_digest
         FROM reviews ORDER BY message_id, ruleset_version`,
      ),
      findings: all(
        `SELECT message_id, rule, category, severity, file, line, function, fingerprint, message, mailable, status, first_version, first_message_id,
                addressed_in, excerpt FROM findings ORDER BY message_id, fingerprint, line, rule, file, message`,
      ),
      // A reply's Date: header is the time it was composed.
      outbox: all(
        `SELECT reply_message_id, idempotency_key, kind, in_reply_to, list, subject, recipients, raw, mode, state, attempts, last_error, delivered_via
         FROM outbox ORDER BY reply_message_id`,
      ).map((r) => ({ ...r, raw: String(r.raw).replace(/^Date: .*$/m, "Date: (the time of the run)") })),
      pending: all("SELECT message_id, series_key, list, date FROM pending_patches ORDER BY message_id"),
      errors: all("SELECT list, position, message_id, code, message FROM ingest_errors ORDER BY list, position, code, message"),
    };
  } finally {
    db.close();
  }
}

function digest(results: BackfillResults): string {
  return createHash("sha256").update(JSON.stringify(results)).digest("hex").slice(0, 16);
}

/** Runs `pinwatch poll --once` over these lists on a fresh store in `dir`; returns the database path. */
function backfill(dir: string, lists: unknown[]): string {
  const database = join(dir, "results.sqlite");
  const config = join(dir, "config.yaml");
  writeFileSync(config, stringify({ poller: { database, mirrorDir: join(dir, "mirrors") }, outbox: { dir: join(dir, "outbox") }, lists }));
  const run = spawnSync(process.execPath, [join(root, "dist", "src", "cli", "main.js"), "poll", "--once", "--config", config], {
    env: { ...process.env, PINWATCH_LOG_LEVEL: "error" },
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  process.stderr.write(run.stdout);
  // 1: some message could not be read, which is a result like any other.
  if (run.status !== 0 && run.status !== 1) throw new Error(`pinwatch poll exited ${run.status}: ${run.stderr}`);
  return database;
}

function differences(before: BackfillResults, after: BackfillResults): string[] {
  const out: string[] = [];
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = (before[table] ?? []).map((r) => JSON.stringify(r));
    const b = (after[table] ?? []).map((r) => JSON.stringify(r));
    const inA = new Set(a);
    const inB = new Set(b);
    const gone = a.filter((r) => !inB.has(r));
    const added = b.filter((r) => !inA.has(r));
    if (gone.length === 0 && added.length === 0) continue;
    out.push(`${table}: ${a.length} rows before, ${b.length} after; ${gone.length} only before, ${added.length} only after`);
    for (const r of gone.slice(0, 3)) out.push(`  - ${r.slice(0, 400)}`);
    for (const r of added.slice(0, 3)) out.push(`  + ${r.slice(0, 400)}`);
  }
  return out;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      "dev-corpus": { type: "boolean", default: false },
      epoch: { type: "string" },
      database: { type: "string" },
      out: { type: "string" },
      compare: { type: "string" },
    },
  });
  const sources = [values["dev-corpus"], values.epoch, values.database].filter(Boolean).length;
  if (sources !== 1) {
    console.error("usage: backfill-results (--dev-corpus | --epoch GITDIR | --database FILE) [--out FILE] [--compare FILE]");
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-results-"));
  try {
    let database = values.database;
    if (values["dev-corpus"]) {
      const emails = join(shared, "corpus", "emails");
      if (!existsSync(emails)) {
        console.log(`backfill-results: skipped, no dev corpus in ${emails}`);
        return 0;
      }
      database = backfill(dir, readdirSync(emails).sort().map((folder) => ({ name: folder.split(".")[0]!, source: { type: "mailbox", path: join(emails, folder) } })));
    } else if (values.epoch) {
      // pinwatch's mirror of it is cloned beforehand, as the bench does.
      const mirror = join(dir, "mirrors", "epoch", "git", "0.git");
      mkdirSync(dirname(mirror), { recursive: true });
      execFileSync("git", ["clone", "-q", "--mirror", resolve(values.epoch), mirror]);
      database = backfill(dir, [{ name: "epoch", source: { type: "git", url: resolve(values.epoch) } }]);
    }
    const results = dumpResults(database!);
    console.log(`${Object.entries(results).map(([table, rows]) => `${table}=${rows.length}`).join(" ")} digest=${digest(results)}`);
    if (values.out) writeFileSync(values.out, JSON.stringify(results));
    if (values.compare) {
      const diff = differences(JSON.parse(readFileSync(values.compare, "utf8")) as BackfillResults, results);
      console.log(diff.length === 0 ? `identical to ${values.compare}` : `DIFFERENT from ${values.compare}:\n${diff.join("\n")}`);
      return diff.length === 0 ? 0 : 1;
    }
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
