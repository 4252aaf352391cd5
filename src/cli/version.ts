// The package version, read once from package.json.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../config/load-config.js";

export const VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
})();
