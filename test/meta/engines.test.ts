// `npm ci` on the oldest Node the README promises prints no EBADENGINE
// warning: every locked package accepts the lowest version our own
// `engines` allows. A dependency that moves to a newer Node fails here
// before it fails a user's install (pin it with `overrides`, or raise ours).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import semver from "semver";
import { ROOT } from "../helpers/fixtures.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { engines?: { node?: string } | string[] }> };

test("every locked package runs on the oldest Node that package.json allows, and on this one", () => {
  const oldest = semver.minVersion(pkg.engines.node);
  assert.ok(oldest, `engines.node "${pkg.engines.node}" has no lowest version`);
  assert.equal(oldest.major, 20, "the README promises Node 20");
  const refused: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const wanted = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
    if (!path || !wanted) continue;
    if (!semver.satisfies(oldest, wanted) || !semver.satisfies(process.version, wanted)) refused.push(`${path} wants node ${wanted}`);
  }
  assert.deepEqual(refused, []);
});
