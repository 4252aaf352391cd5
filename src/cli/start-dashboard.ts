// Starts the dashboard for `serve` and `run`, turning a listen failure (a
// port in use, a privileged port, an address the machine does not have)
// into a coded error that names the address, instead of Node's bare
// EADDRINUSE and a stack.
import type { Config } from "../config/schema.js";
import { PinwatchError } from "../errors.js";
import type { Logger } from "../log.js";
import type { MaintainersIndex } from "../maintainers/maintainers-file.js";
import type { PinwatchMetrics } from "../ops/metrics.js";
import type { Store } from "../store/store.js";
import { startWeb, type RunningWeb } from "../web/start-web.js";

const WHY: Record<string, string> = {
  EADDRINUSE: "the address is already in use (another pinwatch, or another server, listens there); set web.port or stop the other one",
  EACCES: "not allowed to listen there (a port below 1024 needs privileges); set web.port",
  EADDRNOTAVAIL: "this machine has no such address; set web.host",
};

export async function startDashboard(
  config: Config,
  store: Store,
  maintainers: MaintainersIndex | undefined,
  log: Logger,
  metrics?: PinwatchMetrics,
): Promise<RunningWeb> {
  try {
    return await startWeb(config, store, maintainers, log, process.env, metrics);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!code || !(code in WHY)) throw err;
    throw new PinwatchError("PW_E_LISTEN", `the dashboard cannot listen: ${WHY[code]} (${code})`, { subject: `${config.web.host}:${config.web.port}`, cause: err });
  }
}
