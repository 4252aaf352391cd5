// `pinwatch serve`: the dashboard alone, over the store the poller fills.
import type { Config } from "../config/schema.js";
import type { Logger } from "../log.js";
import { loadMaintainers } from "../maintainers/load-maintainers.js";
import { projectPath } from "../poller/poller-context.js";
import { userAgent } from "../sources/polite.js";
import { SqliteStore } from "../store/sqlite-store.js";
import { startDashboard } from "./start-dashboard.js";
import { VERSION } from "./version.js";

export async function runServe(config: Config, log: Logger, out: (t: string) => void): Promise<number> {
  const store = new SqliteStore(projectPath(config.poller.database));
  const maintainers = await loadMaintainers(config.maintainers.file, userAgent(VERSION, config.bot.contact));
  let web;
  try {
    web = await startDashboard(config, store, maintainers, log);
  } catch (err) {
    await store.close();
    throw err;
  }
  out(`pinwatch: dashboard at ${web.url}; Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", () => resolve());
    process.once("SIGINT", () => resolve());
  });
  await web.close();
  await store.close();
  return 0;
}
