// The one pino root logger. Logs go to stderr (stdout belongs to command output
// such as `review --json`); pretty-printed when a person is watching.
import pino, { type Logger, type LoggerOptions } from "pino";
import { visible } from "./visible-text.js";

/** Strings from mail reach log lines (subjects, server answers): their control bytes are made visible. */
function visibleValues(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return visible(value, { newlines: true, tabs: true });
  if (depth > 2 || value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visibleValues(v, depth + 1)]));
}

const SAFE_TEXT: Pick<LoggerOptions, "hooks" | "formatters"> = {
  hooks: {
    logMethod(args, method) {
      return method.apply(this, args.map((a) => (typeof a === "string" ? visible(a, { newlines: true, tabs: true }) : a)) as Parameters<typeof method>);
    },
  },
  formatters: { log: (object) => visibleValues(object) as Record<string, unknown> },
};

function buildRoot(): Logger {
  // An empty or unknown level falls back to info rather than failing every command.
  const wanted = process.env.PINWATCH_LOG_LEVEL || process.env.LOG_LEVEL || "info";
  const level = wanted in pino.levels.values || wanted === "silent" ? wanted : "info";
  const pretty = process.stderr.isTTY && process.env.PINWATCH_LOG_FORMAT !== "json";
  if (pretty) {
    return pino({
      name: "pinwatch",
      level,
      ...SAFE_TEXT,
      transport: { target: "pino-pretty", options: { destination: 2, colorize: true, ignore: "pid,hostname" } },
    });
  }
  return pino({ name: "pinwatch", level, ...SAFE_TEXT }, pino.destination({ fd: 2, sync: true }));
}

export const rootLogger: Logger = buildRoot();

/** A child logger for one subsystem: review, mail, reply, cli, ... */
export function subsystemLogger(name: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger.child({ subsystem: name, ...bindings });
}

export type { Logger };
