// The git epoch source on local epochs written the way public-inbox writes
// them (one commit per message, blob `m`; a deletion is blob `d`): reading
// in order from a cursor, epoch discovery, deletions, a rewritten history.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import pino from "pino";
import { GitEpochSource } from "../../src/sources/git-epochs.js";
import { HostLimiter } from "../../src/sources/polite.js";
import type { SourceMessage } from "../../src/sources/source.js";
import { commitMessage as commit } from "../helpers/epoch.js";

const polite = { userAgent: "pinwatch/test", timeoutMs: 5000, maxRetries: 0, backoffBaseMs: 1, backoffMaxMs: 1, limiter: new HostLimiter(1), log: pino({ level: "silent" }) };

const msg = (n: number) => `Message-ID: <m${n}@example.org>\nSubject: message ${n}\nFrom: a@example.org\n\nbody ${n}\n`;

async function readAll(source: GitEpochSource, cursor?: string): Promise<SourceMessage[]> {
  const out: SourceMessage[] = [];
  for await (const m of source.read(cursor)) out.push(m);
  return out;
}

/** A one-message epoch and a source that has mirrored it. */
async function mirroredEpoch(dir: string): Promise<GitEpochSource> {
  const epoch = join(dir, "epoch.git");
  execFileSync("git", ["init", "-q", "--bare", epoch]);
  commit(epoch, { m: msg(1) }, 1001);
  const source = new GitEpochSource("t", epoch, join(dir, "mirrors"), polite);
  await source.fetch();
  return source;
}

test("reads an inbox's epochs oldest first, from the cursor on, across a new epoch", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-epochs-"));
  try {
    const inbox = join(dir, "inbox");
    mkdirSync(join(inbox, "git"), { recursive: true });
    execFileSync("git", ["init", "-q", "--bare", join(inbox, "git", "0.git")]);
    for (let i = 1; i <= 3; i++) commit(join(inbox, "git", "0.git"), { m: msg(i) }, 1000 + i);
    const source = new GitEpochSource("t", inbox, join(dir, "mirrors"), polite);
    await source.fetch();
    const first = await readAll(source);
    assert.deepEqual(first.map((m) => m.bytes.toString().match(/<(m\d)@/)?.[1]), ["m1", "m2", "m3"]);
    const cursor = first.at(-1)!.cursor;

    commit(join(inbox, "git", "0.git"), { m: msg(4) }, 1004);
    commit(join(inbox, "git", "0.git"), { d: msg(2) }, 1005);
    execFileSync("git", ["init", "-q", "--bare", join(inbox, "git", "1.git")]);
    commit(join(inbox, "git", "1.git"), { m: msg(5) }, 1006);
    await source.fetch();
    const next = await readAll(source, cursor);
    assert.deepEqual(
      next.map((m) => [m.bytes.toString().match(/<(m\d)@/)?.[1], !!m.deleted]),
      [["m4", false], ["m2", true], ["m5", false]],
    );
    assert.match(next.at(-1)!.cursor, /^1:[0-9a-f]{40}$/);
    assert.deepEqual(await readAll(source, next.at(-1)!.cursor), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a cursor that history no longer contains rereads the epoch instead of failing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-epochs-"));
  try {
    const source = await mirroredEpoch(dir);
    const again = await readAll(source, `0:${"f".repeat(40)}`);
    assert.equal(again.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a source that does not exist fails with a coded error naming it", async () => {
  const source = new GitEpochSource("t", "/nonexistent/pinwatch/epoch", join(tmpdir(), "pinwatch-none"), polite);
  await assert.rejects(source.fetch(), (err: { code?: string; message: string }) => err.code === "PW_E_SOURCE_FETCH" && err.message.includes("/nonexistent/pinwatch/epoch"));
});

test("a commit whose message blob the mirror lacks is an error in its place; a commit without a message only moves the cursor", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-epochs-"));
  try {
    const source = await mirroredEpoch(dir);
    const cursor = (await readAll(source)).at(-1)!.cursor;

    // Commits written into the mirror with loose objects, so one blob can be taken away.
    const mirror = join(dir, "mirrors", "t", "git", "0.git");
    const git = (args: string[], input?: string) => execFileSync("git", args, { cwd: mirror, input, env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.org", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.org" } }).toString().trim();
    const commitFile = (name: string, content: string) => {
      const blob = git(["hash-object", "-w", "--stdin"], content);
      const tree = git(["mktree"], `100644 blob ${blob}\t${name}\n`);
      const tip = git(["rev-parse", "HEAD"]);
      git(["update-ref", "HEAD", git(["commit-tree", tree, "-p", tip, "-m", name])]);
      return blob;
    };
    const lost = commitFile("m", msg(2));
    commitFile("x", "not a message\n");
    commitFile("m", msg(4));
    unlinkSync(join(mirror, "objects", lost.slice(0, 2), lost.slice(2)));

    const next = await readAll(source, cursor);
    assert.equal(next.length, 3);
    assert.equal(next[0]!.error?.code, "PW_E_SOURCE_FORMAT");
    assert.match(next[0]!.error!.message, new RegExp(`blob ${lost} is missing from the mirror`));
    assert.equal(next[1]!.outOfRange, true);
    assert.match(next[2]!.bytes.toString(), /<m4@/);
    assert.deepEqual(await readAll(source, next[2]!.cursor), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
