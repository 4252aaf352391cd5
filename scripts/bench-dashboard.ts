// `npm run bench:web`: ingests the dev corpus (../shared/corpus/emails, one
// list per folder) through the poller into a fresh store, then times the
// dashboard's overview and its busiest series page (server-side render,
// through fastify's inject; median of 20 after a warm-up) and prints the
// seven-day digest. Targets: each page under 200 ms. Skips, saying so,
// when the corpus is absent.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { loadConfig } from "../src/config/load-config.js";
import { digestFor } from "../src/digest/digest-run.js";
import { subsystemLogger } from "../src/log.js";
import { pollList } from "../src/poller/poll-list.js";
import { closePollerContext, createPollerContext } from "../src/poller/poller-context.js";
import { ALL_RULES } from "../src/rules/index.js";
import { SqliteStore } from "../src/store/sqlite-store.js";
import { buildApp } from "../src/web/app.js";
import { DashboardAuth } from "../src/web/auth.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const shared = process.env.PINWATCH_SHARED ?? resolve(root, "..", "shared");
const emails = join(shared, "corpus", "emails");
if (!existsSync(emails)) {
  console.log(`bench:web: skipped, no dev corpus in ${emails}`);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "pinwatch-bench-web-"));
try {
  const lists = readdirSync(emails).sort().map((folder) => ({ name: folder.split(".")[0]!, source: { type: "mailbox", path: join(emails, folder) } }));
  const configPath = join(dir, "config.yaml");
  writeFileSync(configPath, stringify({ poller: { database: join(dir, "db.sqlite"), mirrorDir: join(dir, "mirrors") }, outbox: { dir: join(dir, "outbox") }, lists }));
  const config = loadConfig(configPath);
  const quiet = subsystemLogger("bench").child({}, { level: "silent" });
  const ctx = createPollerContext(config, quiet, undefined, quiet);
  const ingestStart = process.hrtime.bigint();
  let messages = 0;
  for (const list of config.lists) messages += (await pollList(list, ctx)).stats.read;
  await closePollerContext(ctx);
  console.log(`ingested ${messages} messages from ${lists.length} lists in ${(Number(process.hrtime.bigint() - ingestStart) / 1e9).toFixed(1)} s`);

  const store = new SqliteStore(config.poller.database);
  const app = await buildApp({ store, config, rules: ALL_RULES, auth: new DashboardAuth(undefined, "bench") });
  const findings = await store.findings({ limit: 100000 });
  const perSeries = new Map<string, number>();
  for (const f of findings) perSeries.set(f.lineageRoot, (perSeries.get(f.lineageRoot) ?? 0) + 1);
  const busiest = [...perSeries.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  console.log(`${findings.length} findings in ${perSeries.size} series; busiest series ${busiest} (${perSeries.get(busiest ?? "") ?? 0} findings)`);

  const time = async (url: string): Promise<number> => {
    await app.inject({ method: "GET", url });
    const samples: number[] = [];
    for (let i = 0; i < 20; i++) {
      const start = process.hrtime.bigint();
      const res = await app.inject({ method: "GET", url });
      if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode}`);
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return samples.sort((a, b) => a - b)[10]!;
  };
  const overview = await time("/");
  const series = busiest ? await time(`/series/${encodeURIComponent(busiest)}`) : 0;
  const now = new Date();
  const digest = await digestFor(store, config, undefined, {}, new Date(now.getTime() - 7 * 86400000), now);
  console.log(`\n---- pinwatch digest --since 7d (${digest.text.split("\n").length} lines) ----\n${digest.text}---- end of digest ----\n`);
  await app.close();
  await store.close();
  console.log(`overview_ms=${overview.toFixed(1)} series_ms=${series.toFixed(1)} target_ms=200`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
