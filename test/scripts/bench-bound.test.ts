// The benchmark's lower bound must do the work it claims to, or its figure
// means nothing: on a two-message epoch it reads both messages, hands the
// GUP patch (and only it) to the review thread, which must review it for
// the program to finish, and stores both rows.
import Database from "better-sqlite3";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { prepareBoundInput } from "../../scripts/bench-bound-input.js";
import { commitMessages } from "../helpers/epoch.js";
import { ROOT } from "../helpers/fixtures.js";
import { gupPatch, plainMail } from "../helpers/mail-factory.js";

test("the lower bound reads every message, reviews the GUP patch and stores every row", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-bound-"));
  try {
    const gitDir = join(dir, "0.git");
    execFileSync("git", ["init", "-q", "--bare", gitDir]);
    commitMessages(gitDir, [{ m: plainMail("hello") }, { m: gupPatch("bound") }], 1001);
    const input = await prepareBoundInput(gitDir);
    assert.equal(input.messages.length, 2);
    assert.equal(input.blobs.length, 2);
    assert.deepEqual(input.review, [1]);
    const inputFile = join(dir, "input.json");
    writeFileSync(inputFile, JSON.stringify(input));

    const program = join(ROOT, "dist", "scripts", "bench-bound.js");
    const database = join(dir, "bound.sqlite");
    const run = spawnSync(process.execPath, [program, "--git-dir", gitDir, "--input", inputFile, "--database", database], { encoding: "utf8", timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^prepared_ms=[\d.]+$/m);
    const db = new Database(database, { readonly: true });
    assert.deepEqual(
      (db.prepare("SELECT message_id FROM messages ORDER BY message_id").all() as { message_id: string }[]).map((r) => r.message_id),
      input.messages.map((m) => m.messageId).sort(),
    );
    db.close();

    // With the review engine in place of the libraries: it must review the patch to finish.
    const withEngine = spawnSync(process.execPath, [program, "--git-dir", gitDir, "--input", inputFile, "--database", join(dir, "engine.sqlite"), "--engine"], { encoding: "utf8", timeout: 60_000 });
    assert.equal(withEngine.status, 0, withEngine.stderr);

    const minimum = spawnSync(process.execPath, [program, "--git-dir", gitDir, "--input", inputFile, "--by-oid", "--no-store", "--no-c"], { encoding: "utf8", timeout: 60_000 });
    assert.equal(minimum.status, 0, minimum.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
