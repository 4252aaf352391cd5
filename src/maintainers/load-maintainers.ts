// Loads the MAINTAINERS file named in config (a path, or a URL fetched
// politely once per start) into an index. Without one, nothing is grouped
// by maintainer.
import { readFileSync } from "node:fs";
import { PinwatchError, describeError } from "../errors.js";
import { projectPath } from "../poller/poller-context.js";
import { MaintainersIndex, parseMaintainers } from "./maintainers-file.js";

export async function loadMaintainers(source: string | undefined, userAgent: string): Promise<MaintainersIndex | undefined> {
  if (!source) return undefined;
  let text: string;
  try {
    if (/^https?:\/\//.test(source)) {
      const response = await fetch(source, { headers: { "user-agent": userAgent }, signal: AbortSignal.timeout(60_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      text = await response.text();
    } else text = readFileSync(projectPath(source), "utf8");
  } catch (err) {
    throw new PinwatchError("PW_E_CONFIG", `cannot read the MAINTAINERS file: ${describeError(err)}`, { subject: source, cause: err });
  }
  const sections = parseMaintainers(text);
  if (sections.length === 0) throw new PinwatchError("PW_E_CONFIG", "no MAINTAINERS sections (title, then M:/L:/F: lines) found", { subject: source });
  return new MaintainersIndex(sections);
}
