// Databases made by earlier builds migrate to the current schema. Two branches
// each shipped a migration 4 (the sending pause; the GUP digest): the pause
// kept 4 and the digest became 5, so a database from either branch, or from
// before both, must end with both and with each applied once.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";

const PAUSE = MIGRATIONS.find((m) => m.version === 4)!;
const DIGEST = MIGRATIONS.find((m) => m.version === 5)!;

/** A database as an earlier build left it: these migrations applied and recorded under these numbers. */
function oldDatabase(path: string, recorded: { version: number; name: string; sql: string }[]): void {
  const db = new Database(path);
  db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  for (const m of recorded) {
    db.exec(m.sql);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(m.version, m.name, new Date(0).toISOString());
  }
  db.close();
}

function schemaOf(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    return {
      migrations: db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all() as { version: number; name: string }[],
      pauseTable: db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox_pause'").get() !== undefined,
      digestColumn: (db.prepare("PRAGMA table_info(reviews)").all() as { name: string }[]).some((c) => c.name === "gup_digest"),
    };
  } finally {
    db.close();
  }
}

const FIRST_THREE = MIGRATIONS.filter((m) => m.version <= 3);
const EXPECTED = MIGRATIONS.map((m) => ({ version: m.version, name: m.name }));

for (const [made, recorded] of [
  ["before both branches (3 migrations)", FIRST_THREE],
  ["by the outbox-recovery branch (the pause as 4)", [...FIRST_THREE, PAUSE]],
  ["by the command-line branch (the GUP digest as 4)", [...FIRST_THREE, { ...DIGEST, version: 4 }]],
  ["by this build", MIGRATIONS],
] as const) {
  test(`a database made ${made} opens with the whole schema, each migration once`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "pinwatch-migrate-"));
    const path = join(dir, "db.sqlite");
    try {
      oldDatabase(path, [...recorded]);
      const store = new SqliteStore(path);
      assert.equal(await store.sendingPause(), undefined, "the pause table is readable");
      await store.close();
      // A second open changes nothing.
      await new SqliteStore(path).close();
      assert.deepEqual(schemaOf(path), { migrations: EXPECTED, pauseTable: true, digestColumn: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
