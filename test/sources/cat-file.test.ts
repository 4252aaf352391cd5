// The cat-file reader: slices dealt out to several git processes still come
// back in the order asked, a missing object is reported in its place, and a
// consumer that stops early leaves no git process behind.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { catFileBatch } from "../../src/sources/git.js";

/** Linux: the git processes whose working directory is `dir`. */
function gitProcessesIn(dir: string): string[] {
  return readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return readlinkSync(`/proc/${pid}/cwd`) === dir && readFileSync(`/proc/${pid}/cmdline`, "latin1").startsWith("git");
    } catch {
      return false;
    }
  });
}

function repoWithBlobs(count: number, bytesEach = 37): { dir: string; oids: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-catfile-"));
  execFileSync("git", ["init", "-q", "--bare", dir]);
  const oids = Array.from({ length: count }, (_, i) =>
    execFileSync("git", ["hash-object", "-w", "--stdin"], { cwd: dir, input: `blob ${i}\n${"x".repeat(i * bytesEach)}\n` }).toString().trim(),
  );
  return { dir, oids };
}

test("several readers: every blob, in the order asked, with its bytes", async () => {
  const { dir, oids } = repoWithBlobs(23);
  try {
    const seen: string[] = [];
    for await (const blob of catFileBatch(dir, oids, { readers: 3, sliceSize: 4, readAheadBytes: 64 })) {
      seen.push(blob.oid);
      assert.match(blob.bytes!.toString(), new RegExp(`^blob ${seen.length - 1}\\n`));
    }
    assert.deepEqual(seen, oids);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a missing object comes back in its place, without bytes", async () => {
  const { dir, oids } = repoWithBlobs(6);
  const absent = "0123456789abcdef0123456789abcdef01234567";
  try {
    const asked = [...oids.slice(0, 3), absent, ...oids.slice(3)];
    const got = [];
    for await (const blob of catFileBatch(dir, asked, { readers: 2, sliceSize: 2 })) got.push(blob);
    assert.deepEqual(got.map((b) => b.oid), asked);
    assert.equal(got[3]!.bytes, undefined);
    assert.ok(got.every((b, i) => i === 3 || b.bytes));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("stopping early stops every git process", { timeout: 20_000 }, async () => {
  // Blobs far larger than a pipe holds, and no read-ahead: the readers are blocked writing when the consumer stops.
  const { dir, oids } = repoWithBlobs(40, 20_000);
  try {
    let taken = 0;
    for await (const blob of catFileBatch(dir, oids, { readers: 2, sliceSize: 5, readAheadBytes: 1 })) {
      assert.ok(blob.bytes);
      if (taken === 0) assert.ok(gitProcessesIn(dir).length > 0, "the readers run while blobs are taken");
      if (++taken === 7) break;
    }
    assert.equal(taken, 7);
    // The generator's cleanup waited for the readers to exit: no git process is left working in this repository.
    assert.deepEqual(gitProcessesIn(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
