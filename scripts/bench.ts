// `npm run bench`: backfill throughput against the floor, `git cat-file
// --batch` reading the same blobs. A single 10,000-message epoch mostly
// measures a fresh process's start-up, so the bench reads one history to two
// depths: the 10,000-message bundle in ../shared/corpus/perf, and a
// 60,000-message epoch made from it by posting every message again under new
// Message-IDs (scripts/bench-epoch.ts; built once, cached under var/bench/).
// Each round runs the floor, pinwatch and the lower bound on both sizes in
// turn; the rounds' medians give the marginal cost (the slope between the
// sizes, per message), pinwatch's fixed cost (the intercept), its messages
// per second and CPU, and its own peak RSS (its process, not git's). The
// last line is `ratio=<marginal> fixed_s=<f> msgs_per_s=<m> peak_rss_mb=<r>`.
// Skips, saying so, when the bundle is absent (PINWATCH_SHARED overrides
// where ../shared is); BENCH_RUNS sets the rounds (default 3).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadConfig } from "../src/config/load-config.js";
import { prepareBoundInput } from "./bench-bound-input.js";
import { benchEpoch } from "./bench-epoch.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const shared = process.env.PINWATCH_SHARED ?? resolve(root, "..", "shared");
const perfDir = join(shared, "corpus", "perf");
const rounds = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const cores = availableParallelism();
const rusageHook = pathToFileURL(join(root, "dist", "scripts", "bench-rusage.js")).href;

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (values: number[], digits = 3) => values.map((v) => v.toFixed(digits)).join(", ");
const cpuOf = (stderr: string) => (/cpu_s=([\d.]+) ([\d.]+)/.exec(stderr) ?? []).slice(1).map(Number).reduce((a, b) => a + b, 0);

const bundle = existsSync(perfDir) ? readdirSync(perfDir).find((f) => f.endsWith(".bundle")) : undefined;
if (!bundle) {
  console.log(`bench: skipped, no benchmark epoch (*.bundle) in ${perfDir}`);
  process.exit(0);
}
if (!existsSync("/usr/bin/time")) {
  console.log("bench: skipped, /usr/bin/time (Debian package `time`) is needed to measure CPU with git's share");
  process.exit(0);
}

const epoch = await benchEpoch(join(perfDir, bundle), join(root, "var", "bench"), 5, (line) => console.log(line));
const work = mkdtempSync(join(tmpdir(), "pinwatch-bench-"));

interface Size {
  messages: number;
  /** The epoch as its archive offers it, master at this size's last commit. */
  upstream: string;
  /** pinwatch's mirror of it, cloned before timing. */
  mirrorDir: string;
  gitDir: string;
  blobsFile: string;
  boundInputFile: string;
  reviews: number;
}

interface Run {
  wall: number;
  /** CPU seconds of the process and its children (git). */
  cpu: number;
  /** pinwatch only: its own CPU and peak RSS (MB). */
  ownCpu?: number;
  ownRssMb?: number;
}

try {
  const sizes: Size[] = [];
  for (const { messages, tip } of epoch.sizes) {
    // The epoch as a mirror would hold it; each timed run is what a poll does
    // on a mirror that is up to date: a no-op fetch, then reading, filtering,
    // reviewing and storing every message.
    const upstream = join(work, `upstream-${messages}.git`);
    execFileSync("git", ["clone", "-q", "--mirror", epoch.gitDir, upstream]);
    execFileSync("git", ["update-ref", "refs/heads/master", tip], { cwd: upstream });
    const mirrorDir = join(work, `mirrors-${messages}`);
    const gitDir = join(mirrorDir, "perf", "git", "0.git");
    mkdirSync(dirname(gitDir), { recursive: true });
    execFileSync("git", ["clone", "-q", "--mirror", upstream, gitDir]);
    const names = execFileSync("git", ["rev-list", "--reverse", "HEAD"], { cwd: upstream, maxBuffer: 1 << 28 }).toString("latin1").split("\n").filter(Boolean);
    if (names.length !== messages) throw new Error(`bench: the ${messages}-message epoch has ${names.length} commits`);
    const blobs = execFileSync("git", ["cat-file", "--batch-check=%(objectname)"], { cwd: upstream, input: names.map((c) => `${c}:m\n`).join(""), maxBuffer: 1 << 28 })
      .toString("latin1")
      .split("\n")
      .filter((line) => /^[0-9a-f]{40,64}$/.test(line));
    const blobsFile = join(work, `blobs-${messages}.txt`);
    writeFileSync(blobsFile, blobs.join("\n") + "\n");
    // The lower bound's inputs (bench-bound-input.ts), worked out untimed.
    const boundInput = await prepareBoundInput(gitDir);
    const boundInputFile = join(work, `bound-input-${messages}.json`);
    writeFileSync(boundInputFile, JSON.stringify(boundInput));
    sizes.push({ messages, upstream, mirrorDir, gitDir, blobsFile, boundInputFile, reviews: boundInput.review.length });
  }
  // Batches as large as a poll with the default config commits.
  const commitEvery = String(loadConfig().poller.commitEvery);

  const floor = (size: Size): Run => {
    const start = process.hrtime.bigint();
    const run = spawnSync("/usr/bin/time", ["-f", "cpu_s=%U %S", "sh", "-c", `git cat-file --batch < "${size.blobsFile}" > /dev/null`], { cwd: size.upstream, encoding: "utf8" });
    const wall = seconds(start);
    if (run.status !== 0) throw new Error(`git cat-file exited ${run.status}: ${run.stderr}`);
    return { wall, cpu: cpuOf(run.stderr) };
  };

  let lastSummary = "";
  const startups: number[] = [];
  const pinwatch = (size: Size, i: number): Run => {
    const db = join(work, `run-${size.messages}-${i}.sqlite`);
    const outbox = join(work, `outbox-${size.messages}-${i}`);
    const config = join(work, `config-${size.messages}-${i}.yaml`);
    const usageFile = join(work, `rusage-${size.messages}-${i}.json`);
    writeFileSync(
      config,
      ["poller:", `  database: ${db}`, `  mirrorDir: ${size.mirrorDir}`, "lists:", "  - name: perf", "    source:", "      type: git", `      url: ${size.upstream}`, "outbox:", `  dir: ${outbox}`, ""].join("\n"),
    );
    const start = process.hrtime.bigint();
    const run = spawnSync("/usr/bin/time", ["-f", "cpu_s=%U %S", process.execPath, "--import", rusageHook, join(root, "dist", "src", "cli", "main.js"), "poll", "--once", "--config", config], {
      env: { ...process.env, PINWATCH_LOG_LEVEL: "error", PINWATCH_BENCH_RUSAGE: usageFile },
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    const wall = seconds(start);
    if (run.status !== 0) {
      console.error(run.stdout, run.stderr);
      throw new Error(`pinwatch poll exited ${run.status}`);
    }
    const usage = JSON.parse(readFileSync(usageFile, "utf8")) as { maxRssKb: number; userUs: number; systemUs: number };
    lastSummary = run.stdout.trim();
    if (size === sizes[0]) {
      // Start-up alone: the same poll again, with nothing new to read.
      const again = process.hrtime.bigint();
      const idle = spawnSync(process.execPath, [join(root, "dist", "src", "cli", "main.js"), "poll", "--once", "--config", config], { env: { ...process.env, PINWATCH_LOG_LEVEL: "error" }, encoding: "utf8" });
      if (idle.status !== 0) throw new Error(`pinwatch poll (nothing new) exited ${idle.status}: ${idle.stderr}`);
      startups.push(seconds(again));
    }
    for (const suffix of ["", "-wal", "-shm"]) rmSync(db + suffix, { force: true });
    rmSync(outbox, { recursive: true, force: true });
    return { wall, cpu: cpuOf(run.stderr), ownCpu: (usage.userUs + usage.systemUs) / 1e6, ownRssMb: usage.maxRssKb / 1024 };
  };

  /** The lower bound (bench-bound.ts): the work any implementation must do, with the issue's libraries and none of pinwatch's logic. */
  const bound = (size: Size, i: number, flags: string[] = []): Run => {
    const database = join(work, `bound-${size.messages}-${i}.sqlite`);
    const start = process.hrtime.bigint();
    const run = spawnSync(
      "/usr/bin/time",
      ["-f", "cpu_s=%U %S", process.execPath, join(root, "dist", "scripts", "bench-bound.js"), "--git-dir", size.gitDir, "--input", size.boundInputFile, "--database", database, "--commit-every", commitEvery, ...flags],
      { encoding: "utf8" },
    );
    const elapsed = seconds(start);
    if (run.status !== 0) throw new Error(`bench-bound exited ${run.status}: ${run.stderr}`);
    // Loading its precomputed inputs is not work a poll does.
    const prepared = Number(/prepared_ms=([\d.]+)/.exec(run.stdout)?.[1] ?? 0) / 1000;
    for (const suffix of ["", "-wal", "-shm"]) rmSync(database + suffix, { force: true });
    return { wall: elapsed - prepared, cpu: cpuOf(run.stderr) - prepared };
  };

  // Interleaved: every round runs each program on each size, so a slower
  // stretch of a shared machine falls on all of them alike.
  const results = { floor: [] as Run[][], pinwatch: [] as Run[][], bound: [] as Run[][], boundEngine: [] as Run[][] };
  for (let i = 0; i < rounds; i++) {
    const round = { floor: [] as Run[], pinwatch: [] as Run[], bound: [] as Run[], boundEngine: [] as Run[] };
    for (const size of sizes) {
      round.floor.push(floor(size));
      round.pinwatch.push(pinwatch(size, i));
      round.bound.push(bound(size, i));
      round.boundEngine.push(bound(size, i, ["--engine"]));
    }
    for (const key of Object.keys(results) as (keyof typeof results)[]) results[key].push(round[key]);
    const [s, l] = [0, sizes.length - 1];
    console.log(
      `round ${i + 1}/${rounds}: floor ${fmt(round.floor.map((r) => r.wall))} s, pinwatch ${fmt(round.pinwatch.map((r) => r.wall))} s, ` +
        `lower bound ${fmt(round.bound.map((r) => r.wall))} s, with the engine ${fmt(round.boundEngine.map((r) => r.wall))} s (${sizes[s]!.messages} and ${sizes[l]!.messages} messages)`,
    );
  }

  const small = sizes[0]!;
  const large = sizes[sizes.length - 1]!;
  const extra = large.messages - small.messages;
  /** Per round: seconds per extra message, and the time at zero messages. */
  const line = (runs: Run[][], pick: (r: Run) => number = (r) => r.wall) =>
    runs.map((round) => {
      const slope = (pick(round[round.length - 1]!) - pick(round[0]!)) / extra;
      return { slope, fixed: pick(round[0]!) - slope * small.messages };
    });
  const floorLine = line(results.floor);
  const pinwatchLine = line(results.pinwatch);
  const boundLine = line(results.bound);
  const boundEngineLine = line(results.boundEngine);
  // Ratios are taken round by round (the same stretch of the machine), then their median.
  const ratio = median(pinwatchLine.map((p, i) => p.slope / floorLine[i]!.slope));
  const boundRatio = median(boundLine.map((b, i) => b.slope / floorLine[i]!.slope));
  const versusBound = median(pinwatchLine.map((p, i) => p.slope / boundLine[i]!.slope));
  const boundEngineRatio = median(boundEngineLine.map((b, i) => b.slope / floorLine[i]!.slope));
  const versusBoundEngine = median(pinwatchLine.map((p, i) => p.slope / boundEngineLine[i]!.slope));
  const fixed = median(pinwatchLine.map((p) => p.fixed));
  const us = (s: number) => `${(s * 1e6).toFixed(0)} us`;
  const walls = (runs: Run[][], k: number) => runs.map((round) => round[k]!.wall);
  const largeWall = median(walls(results.pinwatch, sizes.length - 1));
  const peak = Math.max(...results.pinwatch.flat().map((r) => r.ownRssMb ?? 0));

  console.log("");
  console.log(`epoch: ${bundle}, read to ${sizes.map((s) => `${s.messages} messages (${s.reviews} patches to review)`).join(" and ")}; ${rounds} rounds on ${cores} cores`);
  console.log(`pinwatch on the largest: ${lastSummary}`);
  for (const [name, runs, fitted] of [
    ["floor (git cat-file --batch > /dev/null)", results.floor, floorLine],
    ["pinwatch poll --once (fresh database, mirror up to date)", results.pinwatch, pinwatchLine],
    ["lower bound (bench-bound.ts: rev-list, read by commit, mailparser + parse-diff + tree-sitter on the patches to review, SQLite rows; no logic of pinwatch's)", results.bound, boundLine],
    ["lower bound with the review engine (bench-bound.ts --engine: the same, with pinwatch's parse and reviewMail() on each patch alone in place of the libraries)", results.boundEngine, boundEngineLine],
  ] as const) {
    console.log(`${name}:`);
    sizes.forEach((size, k) => {
      const cpu = median(runs.map((round) => round[k]!.cpu));
      console.log(`  ${size.messages} messages: median ${median(walls(runs, k)).toFixed(3)} s of ${fmt(walls(runs, k))}; CPU ${cpu.toFixed(2)} s (with children)`);
    });
    console.log(`  marginal ${us(median(fitted.map((f) => f.slope)))} per message, fixed ${median(fitted.map((f) => f.fixed)).toFixed(3)} s`);
  }
  const own = (k: number) => median(results.pinwatch.map((round) => round[k]!.ownCpu ?? 0));
  const cpuLine = line(results.pinwatch, (r) => r.cpu);
  const floorCpuLine = line(results.floor, (r) => r.cpu);
  console.log(
    `pinwatch's own CPU (its threads, not git): ${sizes.map((s, k) => `${own(k).toFixed(2)} s at ${s.messages}`).join(", ")}; ` +
      `CPU per extra message with git ${us(median(cpuLine.map((c) => c.slope)))} against the floor's ${us(median(floorCpuLine.map((c) => c.slope)))}`,
  );
  console.log(`pinwatch's own peak RSS (not git's): ${sizes.map((s, k) => `${Math.max(...results.pinwatch.map((round) => round[k]!.ownRssMb ?? 0)).toFixed(0)} MB at ${s.messages}`).join(", ")}`);
  console.log(`pinwatch's start-up (poll --once with nothing new to read): median ${median(startups).toFixed(3)} s of ${fmt(startups)}`);
  console.log(`marginal msgs/s: pinwatch ${Math.round(1 / median(pinwatchLine.map((p) => p.slope)))}, floor ${Math.round(1 / median(floorLine.map((f) => f.slope)))}`);
  console.log(`lower bound: marginal ratio ${boundRatio.toFixed(2)} x the floor; pinwatch's marginal cost is ${versusBound.toFixed(2)} x the lower bound's`);
  console.log(`lower bound with the review engine: marginal ratio ${boundEngineRatio.toFixed(2)} x the floor; pinwatch's marginal cost is ${versusBoundEngine.toFixed(2)} x its`);
  console.log(`ratio=${ratio.toFixed(2)} fixed_s=${fixed.toFixed(3)} msgs_per_s=${Math.round(large.messages / largeWall)} peak_rss_mb=${Math.round(peak)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
