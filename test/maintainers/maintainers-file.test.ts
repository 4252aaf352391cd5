// MAINTAINERS matching as get_maintainer.pl does it: directory patterns
// cover everything below, globs stay in their directory, X: excludes, N:
// matches by regular expression, the most specific section wins.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { MaintainersIndex, parseMaintainers, patternMatches } from "../../src/maintainers/maintainers-file.js";
import { MAINTAINERS_FIXTURE } from "../helpers/web-lab.js";

const index = new MaintainersIndex(parseMaintainers(readFileSync(MAINTAINERS_FIXTURE, "utf8")));

test("the file's sections are read, the preamble skipped", () => {
  assert.deepEqual(index.sections.map((s) => s.title), ["FOO RDMA DRIVER", "INFINIBAND SUBSYSTEM", "UBUF", "THE REST"]);
  assert.deepEqual(index.sections[0]!.maintainers, [{ name: "Leon Maintainer", address: "leon@example.com" }]);
});

test("patterns: directories, globs within a directory, plain files", () => {
  assert.ok(patternMatches("drivers/infiniband/", "drivers/infiniband/hw/foo/foo_mr.c"));
  assert.ok(patternMatches("drivers/infiniband", "drivers/infiniband/core/umem.c"));
  assert.ok(patternMatches("lib/ubuf*.c", "lib/ubuf_ring.c"));
  assert.ok(!patternMatches("lib/ubuf*.c", "lib/sub/ubuf_ring.c"));
  assert.ok(patternMatches("drivers/*/", "drivers/net/x/y.c"));
  assert.ok(!patternMatches("drivers/infiniband/", "drivers/infiniband.c"));
});

test("the most specific section's maintainers; excludes and THE REST left out", () => {
  assert.deepEqual(index.maintainersOf(["drivers/infiniband/hw/foo/foo_mr.c"]).map((p) => p.address), ["leon@example.com"]);
  assert.deepEqual(index.maintainersOf(["drivers/infiniband/core/umem.c"]).map((p) => p.address), ["jay@example.com"]);
  assert.deepEqual(index.maintainersOf(["drivers/infiniband/hw/bar/bar.c"]).map((p) => p.address), [], "X: excludes it; THE REST names no one");
  assert.deepEqual(index.maintainersOf(["fs/ubuf_helpers.c"]).map((p) => p.address), ["ada.m@example.org"], "N: by regular expression");
  assert.deepEqual(index.listsOf(["drivers/infiniband/hw/foo/foo_mr.c"]).sort(), ["linux-kernel@vger.kernel.org", "linux-rdma@vger.kernel.org"]);
});
