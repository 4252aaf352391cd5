// Loads config/default.yaml (and an optional override file), validates it
// against the schema and reports every problem with the setting's path.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { PinwatchError } from "../errors.js";
import { configSchema, type Config } from "./schema.js";

export const projectRoot = findRoot();
export const DEFAULT_CONFIG_PATH = resolve(projectRoot, "config", "default.yaml");

function findRoot(): string {
  // Works both from src/ (ts) and dist/src/ (compiled).
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, "..", ".."), resolve(here, "..", "..", "..")];
  for (const c of candidates) {
    try {
      readFileSync(resolve(c, "package.json"));
      return c;
    } catch {
      // try the next one
    }
  }
  return process.cwd();
}

function readYaml(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new PinwatchError("PW_E_CONFIG", "cannot read the config file", { subject: path, cause });
  }
  try {
    return parseYaml(text) ?? {};
  } catch (cause) {
    throw new PinwatchError("PW_E_CONFIG", `not valid YAML: ${(cause as Error).message}`, { subject: path, cause });
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep-merges objects; arrays and scalars in `over` replace those in `base`. */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeConfig(base[k], v);
  return out;
}

/** Validates raw config data; throws PW_E_CONFIG naming every bad setting. */
export function validateConfig(raw: unknown, source: string): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new PinwatchError("PW_E_CONFIG", `invalid configuration:\n  ${problems.join("\n  ")}`, { subject: source });
  }
  return result.data;
}

export function loadConfig(overridePath?: string): Config {
  let raw = readYaml(DEFAULT_CONFIG_PATH);
  let source = DEFAULT_CONFIG_PATH;
  if (overridePath) {
    raw = mergeConfig(raw, readYaml(overridePath));
    source = `${DEFAULT_CONFIG_PATH} + ${overridePath}`;
  }
  return validateConfig(raw, source);
}
