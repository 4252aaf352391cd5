// Starts the dashboard on the configured address: the one place that reads
// the login token and cookie secret from the environment and listens.
import type { Config } from "../config/schema.js";
import type { Logger } from "../log.js";
import type { MaintainersIndex } from "../maintainers/maintainers-file.js";
import type { PinwatchMetrics } from "../ops/metrics.js";
import type { Store } from "../store/store.js";
import { buildApp } from "./app.js";
import { DashboardAuth } from "./auth.js";

export interface RunningWeb {
  url: string;
  close(): Promise<void>;
}

export async function startWeb(config: Config, store: Store, maintainers: MaintainersIndex | undefined, log: Logger, env: NodeJS.ProcessEnv = process.env, metrics?: PinwatchMetrics): Promise<RunningWeb> {
  const { ALL_RULES } = await import("../rules/index.js");
  const auth = new DashboardAuth(env[config.web.tokenEnv], env[config.web.secretEnv]);
  const app = await buildApp({ store, config, rules: ALL_RULES, maintainers, auth, log, metrics });
  const address = await app.listen({ host: config.web.host, port: config.web.port });
  log.info({ url: address, moderation: auth.enabled }, "dashboard listening");
  return { url: address, close: () => app.close() };
}
