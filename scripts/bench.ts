// `npm run bench`: backfill of the benchmark epoch in ../shared/corpus/perf
// (a git bundle of a public-inbox epoch) against the floor, `git cat-file
// --batch` reading the same blobs. Prints messages/s, peak RSS and the
// ratio, ending with one line `ratio=<x> msgs_per_s=<y> peak_rss_mb=<z>`.
// Skips, saying so, when the epoch is absent (PINWATCH_SHARED overrides
// where ../shared is).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config/load-config.js";
import { prepareBoundInput } from "./bench-bound-input.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const shared = process.env.PINWATCH_SHARED ?? resolve(root, "..", "shared");
const perfDir = join(shared, "corpus", "perf");
const runs = Number(process.env.BENCH_RUNS ?? 3);
const cores = availableParallelism();

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const bundle = existsSync(perfDir) ? readdirSync(perfDir).find((f) => f.endsWith(".bundle")) : undefined;
if (!bundle) {
  console.log(`bench: skipped, no benchmark epoch (*.bundle) in ${perfDir}`);
  process.exit(0);
}
if (!existsSync("/usr/bin/time")) {
  console.log("bench: skipped, /usr/bin/time (Debian package `time`) is needed to measure peak RSS");
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), "pinwatch-bench-"));
try {
  // The epoch as a mirror would hold it: a bare repository cloned once from
  // the bundle. pinwatch's mirror of it is cloned before timing, so each timed
  // run is what a poll does on a mirror that is up to date: a no-op fetch,
  // then reading, filtering, reviewing and storing every message.
  const upstream = join(work, "upstream.git");
  execFileSync("git", ["clone", "-q", "--mirror", join(perfDir, bundle), upstream]);
  const mirrorDir = join(work, "mirrors");
  mkdirSync(join(mirrorDir, "perf", "git"), { recursive: true });
  execFileSync("git", ["clone", "-q", "--mirror", upstream, join(mirrorDir, "perf", "git", "0.git")]);

  const log = execFileSync("git", ["log", "--format=", "--raw", "--no-abbrev", "--root", "HEAD"], { cwd: upstream, maxBuffer: 1 << 30 }).toString("latin1");
  const blobs = log
    .split("\n")
    .map((l) => /^:\d+ \d+ \S+ (\S+) [AM]\tm$/.exec(l)?.[1])
    .filter((b): b is string => !!b);
  const idsFile = join(work, "blobs.txt");
  writeFileSync(idsFile, blobs.join("\n") + "\n");

  // The floor: git alone reading the same blobs.
  const floorTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    execFileSync("sh", ["-c", `git cat-file --batch < "${idsFile}" > /dev/null`], { cwd: upstream });
    floorTimes.push(seconds(start));
  }
  const floor = median(floorTimes);

  // Between the two: a Node process that only drains the same blobs through
  // pinwatch's cat-file reader (the pipe, Node's startup and the framing,
  // nothing parsed). It shows how much of the ratio reading alone takes.
  const readerUrl = new URL("../src/sources/git.js", import.meta.url).href;
  const drain = `import { catFileBatch } from ${JSON.stringify(readerUrl)}; import { readFileSync } from "node:fs";
    const oids = readFileSync(${JSON.stringify(idsFile)}, "utf8").trim().split("\\n"); let n = 0;
    for await (const blob of catFileBatch(${JSON.stringify(join(mirrorDir, "perf", "git", "0.git"))}, oids)) n += blob.bytes ? 1 : 0;
    if (n !== oids.length) throw new Error("read " + n + " of " + oids.length);`;
  const readerTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, ["--input-type=module", "-e", drain]);
    readerTimes.push(seconds(start));
  }
  const reader = median(readerTimes);

  const times: number[] = [];
  const rss: number[] = [];
  const cpus: number[] = [];
  let lastOutput = "";
  for (let i = 0; i < runs; i++) {
    const db = join(work, `run-${i}.sqlite`);
    const outbox = join(work, `outbox-${i}`);
    const config = join(work, `config-${i}.yaml`);
    writeFileSync(
      config,
      [
        "poller:",
        `  database: ${db}`,
        `  mirrorDir: ${mirrorDir}`,
        "lists:",
        "  - name: perf",
        "    source:",
        "      type: git",
        `      url: ${upstream}`,
        "outbox:",
        `  dir: ${outbox}`,
        "",
      ].join("\n"),
    );
    const start = process.hrtime.bigint();
    const run = spawnSync("/usr/bin/time", ["-f", "peak_rss_kb=%M cpu_s=%U %S", process.execPath, join(root, "dist", "src", "cli", "main.js"), "poll", "--once", "--config", config], {
      env: { ...process.env, PINWATCH_LOG_LEVEL: "error" },
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    times.push(seconds(start));
    if (run.status !== 0) {
      console.error(run.stdout, run.stderr);
      throw new Error(`pinwatch poll exited ${run.status}`);
    }
    rss.push(Number(/peak_rss_kb=(\d+)/.exec(run.stderr)?.[1] ?? 0) / 1024);
    const [user, system] = (/cpu_s=([\d.]+) ([\d.]+)/.exec(run.stderr) ?? []).slice(1).map(Number);
    cpus.push((user ?? 0) + (system ?? 0));
    lastOutput = run.stdout.trim();
    rmSync(db, { force: true });
    rmSync(outbox, { recursive: true, force: true });
  }
  const wall = median(times);
  const peak = Math.max(...rss);

  // The lower bound (bench-bound.ts): the work any implementation must do,
  // with the libraries and none of pinwatch's logic. Its inputs (which
  // patches need a review, each message's row) are worked out here, untimed.
  const gitDir = join(mirrorDir, "perf", "git", "0.git");
  const boundInput = await prepareBoundInput(gitDir);
  const boundInputFile = join(work, "bound-input.json");
  writeFileSync(boundInputFile, JSON.stringify(boundInput));
  // Batches as large as a poll with the default config commits.
  const commitEvery = String(loadConfig().poller.commitEvery);
  /** Median wall time and CPU (user + system, all threads and children) of the lower-bound program. */
  const bound = (flags: string[]): { wall: number; cpu: number } => {
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let i = 0; i < runs; i++) {
      const database = join(work, `bound-${i}.sqlite`);
      const start = process.hrtime.bigint();
      const run = spawnSync("/usr/bin/time", ["-f", "cpu_s=%U %S", process.execPath, join(root, "dist", "scripts", "bench-bound.js"), "--git-dir", gitDir, "--input", boundInputFile, "--database", database, "--commit-every", commitEvery, ...flags], {
        encoding: "utf8",
      });
      const elapsed = seconds(start);
      if (run.status !== 0) throw new Error(`bench-bound exited ${run.status}: ${run.stderr}`);
      const prepared = Number(/prepared_ms=([\d.]+)/.exec(run.stdout)?.[1] ?? 0) / 1000;
      walls.push(elapsed - prepared);
      const [user, system] = (/cpu_s=([\d.]+) ([\d.]+)/.exec(run.stderr) ?? []).slice(1).map(Number);
      cpus.push((user ?? 0) + (system ?? 0) - prepared);
      for (const suffix of ["", "-wal", "-shm"]) rmSync(database + suffix, { force: true });
    }
    return { wall: median(walls), cpu: median(cpus) };
  };
  const required = bound([]);
  const minimum = bound(["--by-oid", "--no-store", "--no-c"]);
  console.log(`epoch: ${bundle}, ${blobs.length} messages`);
  console.log(`pinwatch: ${lastOutput}`);
  console.log(`floor (git cat-file --batch > /dev/null): median ${floor.toFixed(3)} s of ${floorTimes.map((t) => t.toFixed(3)).join(", ")}`);
  console.log(`reader only (the blobs drained through pinwatch's cat-file reader, nothing parsed): median ${reader.toFixed(3)} s, ${(reader / floor).toFixed(2)}x the floor`);
  console.log(
    `lower bound, the required work alone (rev-list, read by commit, mailparser + parse-diff + tree-sitter on the ${boundInput.review.length} patches needing review, stored with SQLite; no logic of pinwatch's): median ${required.wall.toFixed(3)} s, ${(required.wall / floor).toFixed(2)}x the floor, ${required.cpu.toFixed(2)} s of CPU on ${cores} cores`,
  );
  console.log(`lower bound, only reading by blob id and mailparser + parse-diff (no store, no C parser): median ${minimum.wall.toFixed(3)} s, ${(minimum.wall / floor).toFixed(2)}x the floor, ${minimum.cpu.toFixed(2)} s of CPU`);
  console.log(
    `pinwatch poll --once (fresh database, mirror up to date): median ${wall.toFixed(3)} s of ${times.map((t) => t.toFixed(3)).join(", ")}, ${median(cpus).toFixed(2)} s of CPU`,
  );
  console.log(`ratio=${(wall / floor).toFixed(2)} msgs_per_s=${Math.round(blobs.length / wall)} peak_rss_mb=${Math.round(peak)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
