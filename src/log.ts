// The one pino root logger. Logs go to stderr (stdout belongs to command output
// such as `review --json`); pretty-printed when a person is watching.
import pino, { type Logger } from "pino";

function buildRoot(): Logger {
  // An empty or unknown level falls back to info rather than failing every command.
  const wanted = process.env.PINWATCH_LOG_LEVEL || process.env.LOG_LEVEL || "info";
  const level = wanted in pino.levels.values || wanted === "silent" ? wanted : "info";
  const pretty = process.stderr.isTTY && process.env.PINWATCH_LOG_FORMAT !== "json";
  if (pretty) {
    return pino({
      name: "pinwatch",
      level,
      transport: { target: "pino-pretty", options: { destination: 2, colorize: true, ignore: "pid,hostname" } },
    });
  }
  return pino({ name: "pinwatch", level }, pino.destination({ fd: 2, sync: true }));
}

export const rootLogger: Logger = buildRoot();

/** A child logger for one subsystem: review, mail, reply, cli, ... */
export function subsystemLogger(name: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger.child({ subsystem: name, ...bindings });
}

export type { Logger };
