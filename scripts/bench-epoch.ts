// The benchmark's epochs, built once and cached under var/bench/: the
// 10,000-message bundle in ../shared/corpus/perf as it is, followed by every
// message posted again `copies` times under new Message-IDs (the bytes
// otherwise unchanged), one commit each, in rounds of the whole bundle. The
// first 10,000 commits are the bundle's own, so both sizes `npm run bench`
// compares are the same history read to two different depths, from one pack
// (repacked as the bundle was: --depth=50 --window=250).
import { createHash } from "node:crypto";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { once } from "node:events";
import { catFileBatch } from "../src/sources/git.js";

/** Bump when the way the epoch is built changes: a cached epoch of another version is built again. */
const BUILD_VERSION = 2;

export interface BenchEpoch {
  /** The bare repository holding every size's history on master. */
  gitDir: string;
  /** Each size the bench reads: its message count and the commit that ends it. */
  sizes: { messages: number; tip: string }[];
}

interface Manifest extends BenchEpoch {
  version: number;
  bundle: string;
  bundleBytes: number;
  copies: number;
}

const HEADER_END = /\r?\n\r?\n/;

/**
 * The message posted again as round `round`: its Message-ID gets the prefix
 * "bench<round>." (inside the angle brackets when it has them), or, without
 * a Message-ID header, one is added, made from the round and the bytes. The
 * rest of the bytes (threading headers included) stays as it was.
 */
export function repost(bytes: Buffer, round: number): Buffer {
  const text = bytes.toString("latin1");
  const headerEnd = HEADER_END.exec(text)?.index ?? text.length;
  const header = /^message-id:[ \t]*(?:\r?\n[ \t]+)?/im.exec(text.slice(0, headerEnd));
  const prefix = `bench${round}.`;
  if (!header) {
    const id = `<${prefix}${createHash("sha1").update(bytes).digest("hex")}@pinwatch.invalid>`;
    return Buffer.concat([Buffer.from(`Message-ID: ${id}\n`, "latin1"), bytes]);
  }
  let at = header.index + header[0].length;
  if (text[at] === "<") at++;
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(prefix, "latin1"), bytes.subarray(at)]);
}

function git(gitDir: string, args: string[], input?: string): string {
  return execFileSync("git", args, { cwd: gitDir, input, maxBuffer: 1 << 28 }).toString("latin1");
}

/** The cached epoch for this bundle and number of copies, built if it is missing or stale. */
export async function benchEpoch(bundlePath: string, cacheDir: string, copies = 5, log: (line: string) => void = () => undefined): Promise<BenchEpoch> {
  const bundleBytes = statSync(bundlePath).size;
  const name = `${basename(bundlePath, ".bundle")}-x${copies + 1}`;
  const gitDir = join(cacheDir, `${name}.git`);
  const manifestPath = join(cacheDir, `${name}.json`);
  if (existsSync(manifestPath) && existsSync(gitDir)) {
    const cached = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
    if (cached.version === BUILD_VERSION && cached.bundle === bundlePath && cached.bundleBytes === bundleBytes && cached.copies === copies) {
      return { gitDir, sizes: cached.sizes };
    }
  }
  log(`bench: building the ${copies + 1}x epoch under ${cacheDir} (once; it is cached)`);
  mkdirSync(cacheDir, { recursive: true });
  const partial = `${gitDir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  execFileSync("git", ["clone", "-q", "--mirror", bundlePath, partial]);
  const commits = git(partial, ["rev-list", "--reverse", "HEAD"]).split("\n").filter(Boolean);
  const baseTip = commits[commits.length - 1]!;
  const baseTime = Number(git(partial, ["log", "-1", "--format=%ct", baseTip]).trim());

  const packs = () => new Set(readdirSync(join(partial, "objects", "pack")).filter((f) => f.endsWith(".pack")));
  let tip = baseTip;
  let time = baseTime;
  for (let round = 1; round <= copies; round++) {
    // The round through fast-import, each commit holding one message in `m`...
    const before = packs();
    const importer = spawn("git", ["fast-import", "--quiet", "--date-format=raw"], { cwd: partial, stdio: ["pipe", "ignore", "inherit"] });
    const write = async (chunk: Buffer) => {
      if (!importer.stdin.write(chunk)) await once(importer.stdin, "drain");
    };
    let first = true;
    for await (const blob of catFileBatch(partial, commits.map((c) => `${c}:m`))) {
      if (!blob.bytes) continue;
      const message = repost(blob.bytes, round);
      const from = first ? `from ${tip}\n` : "";
      first = false;
      await write(Buffer.from(`commit refs/heads/master\ncommitter pinwatch bench <bench@pinwatch.invalid> ${++time} +0000\ndata 0\n${from}M 100644 inline m\ndata ${message.length}\n`, "latin1"));
      await write(message);
      await write(Buffer.from("\n"));
    }
    importer.stdin.end();
    const [code] = (await once(importer, "close")) as [number];
    if (code !== 0) throw new Error(`git fast-import exited ${code}`);
    const imported = [...packs()].filter((p) => !before.has(p));
    // ...then packed again on its own, the way the bundle was, in place of fast-import's pack.
    const newTip = git(partial, ["rev-parse", "refs/heads/master"]).trim();
    const objects = git(partial, ["rev-list", "--objects", `${tip}..${newTip}`]);
    execFileSync("git", ["pack-objects", "-q", "--window=250", "--depth=50", "--no-reuse-delta", "--no-reuse-object", join("objects", "pack", "pack")], {
      cwd: partial, input: objects, stdio: ["pipe", "ignore", "inherit"], maxBuffer: 1 << 28,
    });
    for (const pack of imported) for (const ext of [".pack", ".idx", ".rev"]) rmSync(join(partial, "objects", "pack", pack.replace(/\.pack$/, ext)), { force: true });
    tip = newTip;
    log(`bench: round ${round} of ${copies}: ${commits.length} messages posted again`);
  }
  const all = git(partial, ["rev-list", "--reverse", "HEAD"]).split("\n").filter(Boolean);
  const sizes = [commits.length, all.length].map((messages) => ({ messages, tip: all[messages - 1]! }));
  rmSync(gitDir, { recursive: true, force: true });
  renameSync(partial, gitDir);
  const manifest: Manifest = { version: BUILD_VERSION, bundle: bundlePath, bundleBytes, copies, gitDir, sizes };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 1));
  return { gitDir, sizes };
}
