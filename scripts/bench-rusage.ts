// Loaded by `npm run bench` into the pinwatch process it times (node
// --import): at exit, writes that process's own resource use (all its
// threads, none of its git children) to the file named by
// PINWATCH_BENCH_RUSAGE, so the bench reports pinwatch's peak RSS and CPU
// apart from git's. Nothing else in pinwatch reads that variable.
import { writeFileSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

const file = process.env.PINWATCH_BENCH_RUSAGE;
// Workers inherit --import; the process's figures are taken once, as the main thread exits.
if (file && isMainThread) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKb: usage.maxRSS, userUs: usage.userCPUTime, systemUs: usage.systemCPUTime }));
  });
}
