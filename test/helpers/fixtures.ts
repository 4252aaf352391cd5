// Paths to the project's own fixtures, and to ../shared when it is present.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** The project root, from dist/test/helpers or test/helpers. */
export const ROOT = existsSync(resolve(here, "../../package.json")) ? resolve(here, "../..") : resolve(here, "../../..");
export const FIXTURES = join(ROOT, "test", "fixtures");
export const SHARED = resolve(ROOT, "..", "shared");
export const hasShared = existsSync(join(SHARED, "corpus", "labels-dev.json"));

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export function readFixture(...parts: string[]): Buffer {
  return readFileSync(fixture(...parts));
}
