// `npm run eval`: reviews the labeled dev corpus in ../shared/corpus and
// prints the scorer's figures. A development tool, not part of the bot: it
// skips (exit 0) with a clear message when ../shared is not beside the project.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig, projectRoot } from "../src/config/load-config.js";
import { subsystemLogger } from "../src/log.js";
import { ALL_RULES } from "../src/rules/index.js";
import { reviewInputs } from "../src/review/review-inputs.js";
import { reviewToJson, type Review } from "../src/review/types.js";

const shared = resolve(process.env.PINWATCH_SHARED ?? join(projectRoot, "..", "shared"));
const labelFiles = ["labels-dev.json", "labels-dev2.json"].map((f) => join(shared, "corpus", f)).filter((f) => existsSync(f));
const labelsPath = labelFiles[0] ?? join(shared, "corpus", "labels-dev.json");
const scorer = join(shared, "tools", "score-findings.mjs");

if (!existsSync(labelsPath) || !existsSync(scorer)) {
  console.log(`eval skipped: no labeled corpus at ${labelsPath} (set PINWATCH_SHARED to the shared folder)`);
  process.exit(0);
}

const labels = labelFiles.flatMap((f) => JSON.parse(readFileSync(f, "utf8")) as { file: string }[]);
const paths = labels.map((l) => join(shared, "corpus", l.file));
const config = loadConfig();
const log = subsystemLogger("eval");
const reviews: Review[] = [];
let errors = 0;
const started = performance.now();
for await (const item of reviewInputs(paths, { rules: ALL_RULES, config, log })) {
  if (item.kind === "error") {
    errors++;
    console.error(`${item.error.code} ${item.error.message}`);
  } else {
    reviews.push(item.review);
  }
}
const seconds = (performance.now() - started) / 1000;
const findingsPath = join(mkdtempSync(join(tmpdir(), "pinwatch-eval-")), "findings.json");
writeFileSync(findingsPath, JSON.stringify({ reviews: reviews.map(reviewToJson) }));
console.log(`reviewed ${paths.length} labeled patches in ${seconds.toFixed(2)} s (${errors} input errors); findings in ${findingsPath}`);
const extra = process.argv.slice(2);
const result = spawnSync(process.execPath, [scorer, "--labels", labelFiles.join(","), "--findings", findingsPath, ...extra], { stdio: "inherit" });
process.exit(result.status ?? 1);
