// The bench's large epoch: every message of the bundle posted again under a
// new Message-ID, the rest of its bytes as they were; the bundle's history
// first and unchanged, each round packed on its own, and the result cached.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { benchEpoch, repost } from "../../scripts/bench-epoch.js";
import { scanHeaders } from "../../src/ingest/scan-headers.js";
import { commitMessages } from "../helpers/epoch.js";
import { gupPatch, plainMail } from "../helpers/mail-factory.js";

test("repost: a new Message-ID, inside the brackets, folded or not; one is added when there is none; nothing else changes", () => {
  const mail = "From: a@example.org\nMessage-ID: <x@example.org>\nIn-Reply-To: <p@example.org>\n\nbody <x@example.org>\n";
  assert.equal(repost(Buffer.from(mail), 2).toString(), mail.replace("Message-ID: <x@", "Message-ID: <bench2.x@"));
  const folded = "Subject: s\r\nmessage-id:\r\n <y@example.org>\r\n\r\nbody\r\n";
  assert.equal(repost(Buffer.from(folded), 1).toString(), folded.replace("<y@", "<bench1.y@"));
  const bare = "Message-Id: z@example.org\n\nbody\n";
  assert.equal(repost(Buffer.from(bare), 3).toString(), bare.replace("z@", "bench3.z@"));
  const none = Buffer.from("Subject: no id\n\nbody Message-ID: <q@example.org>\n");
  const added = repost(none, 1);
  assert.match(added.toString(), /^Message-ID: <bench1\.[0-9a-f]{40}@pinwatch\.invalid>\nSubject: no id\n/);
  assert.notEqual(scanHeaders(added)!.meta.messageId, scanHeaders(repost(none, 2))!.meta.messageId);
});

test("benchEpoch: the bundle's history, then each round of reposts; built once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-bench-epoch-"));
  try {
    const source = join(dir, "source.git");
    execFileSync("git", ["init", "-q", "--bare", source]);
    commitMessages(source, [{ m: plainMail("hello") }, { m: gupPatch("epoch") }, { m: plainMail("bye") }], 1001);
    const bundle = join(dir, "perf.bundle");
    execFileSync("git", ["bundle", "create", "-q", bundle, "--all"], { cwd: source });
    const cache = join(dir, "cache");
    const epoch = await benchEpoch(bundle, cache, 2);
    assert.deepEqual(epoch.sizes.map((s) => s.messages), [3, 9]);
    const git = (...args: string[]) => execFileSync("git", args, { cwd: epoch.gitDir }).toString();
    const commits = git("rev-list", "--reverse", "HEAD").trim().split("\n");
    assert.equal(commits[2], git("rev-parse", `${epoch.sizes[0]!.tip}`).trim(), "the first size ends where the bundle does");
    assert.equal(commits[8], epoch.sizes[1]!.tip);
    const ids = commits.map((c) => scanHeaders(Buffer.from(git("cat-file", "blob", `${c}:m`)))!.meta.messageId);
    assert.equal(new Set(ids).size, 9, "every posting has its own Message-ID");
    assert.deepEqual(ids.slice(3, 6), ids.slice(0, 3).map((id) => `bench1.${id}`));
    assert.deepEqual(ids.slice(6), ids.slice(0, 3).map((id) => `bench2.${id}`));
    assert.equal(readdirSync(join(epoch.gitDir, "objects", "pack")).filter((f) => f.endsWith(".pack")).length, 3, "the bundle's pack and one per round");
    assert.deepEqual(await benchEpoch(bundle, cache, 2), epoch, "the second call finds it cached");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
