// Following a big list from a date on, against a real public-inbox with
// three epochs (mail from 2019, 2021 and 2026): only the epochs holding mail
// from startFrom on are cloned (by the manifest's dates; without a manifest,
// by walking back from the newest), and manifest.js.gz is asked for
// conditionally, so an unchanged one costs a 304.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { FaultProxy } from "../helpers/fault-proxy.js";
import { freePort, hasPublicInbox, LocalLore } from "../helpers/local-lore.js";
import { plainMail } from "../helpers/mail-factory.js";
import { pollerLab } from "../helpers/poller-setup.js";

const skip = !hasPublicInbox && "public-inbox is not installed (apt-get install public-inbox; .ci/run does)";
const Y2019 = 1_550_000_000;
const Y2021 = 1_620_000_000;
const Y2026 = 1_780_000_000;

describe("lore epochs: clone what startFrom needs, ask for the manifest conditionally", { skip }, () => {
  let lore: LocalLore;
  let proxy: FaultProxy;
  before(async () => {
    lore = await LocalLore.create(["wide"]);
    const batch = (tag: string, n: number) => Array.from({ length: n }, (_, i) => plainMail(`${tag}-${i}`, "wide@example.org"));
    lore.add("wide", batch("e0", 3), { at: Y2019 });
    lore.add("wide", batch("e1", 3), { newEpoch: true, at: Y2021 });
    lore.add("wide", batch("e2", 2), { newEpoch: true, at: Y2026 });
    proxy = new FaultProxy(await freePort(), lore.httpPort);
    await proxy.up();
  });
  after(async () => {
    await proxy?.down();
    await lore?.close();
  });

  const mirrored = (dir: string) => readdirSync(join(dir, "mirrors", "wide", "git")).filter((n) => n.endsWith(".git")).sort();
  const url = () => `http://127.0.0.1:${proxy.port}/wide`;

  test("startFrom 2025: only the newest epoch is cloned and read; then 2020-06: the 2021 epoch too, never the 2019 one", async () => {
    for (const [startFrom, epochs, read] of [["2025-01-01", ["2.git"], 2], ["2020-06-01", ["1.git", "2.git"], 5]] as const) {
      const lab = pollerLab([{ name: "wide", startFrom, source: { type: "git", url: url() } }]);
      try {
        proxy.seen.length = 0;
        const result = await lab.poll("wide");
        assert.deepEqual(mirrored(lab.dir), epochs, `startFrom ${startFrom}`);
        assert.equal(result.stats.read, read);
        assert.ok(!proxy.seen.some((r) => /\/wide\/0\//.test(r.url)), "the 2019 epoch is never asked for");
        assert.equal((await lab.poll("wide")).stats.read, 0, "the next poll reads from the cursor and clones nothing older");
        assert.deepEqual(mirrored(lab.dir), epochs);
      } finally {
        lab.close();
      }
    }
  });

  test("without a manifest, epochs are probed and cloned newest first until one began before startFrom", async () => {
    const lab = pollerLab([{ name: "wide", startFrom: "2025-01-01", source: { type: "git", url: url() } }]);
    try {
      proxy.inject("404", 10, /manifest\.js\.gz$/);
      const result = await lab.poll("wide");
      assert.equal(result.stats.read, 2);
      // Epoch 2 began in 2026, so epoch 1 might end after startFrom: it is cloned, and shows it does not; epoch 0 is not.
      assert.deepEqual(mirrored(lab.dir), ["1.git", "2.git"]);
    } finally {
      proxy.clearFaults();
      lab.close();
    }
  });

  test("manifest.js.gz is fetched conditionally: unchanged, a 304 and no body; after new mail, in full again", async () => {
    const lab = pollerLab([{ name: "wide", startFrom: "2025-01-01", source: { type: "git", url: url() } }]);
    proxy.conditional = true;
    try {
      proxy.seen.length = 0;
      await lab.poll("wide");
      const manifests = () => proxy.seen.filter((r) => /manifest\.js\.gz$/.test(r.url));
      assert.equal(manifests().length, 1);
      assert.equal(manifests()[0]!.status, 200);
      assert.equal(manifests()[0]!.ifNoneMatch, undefined, "nothing to compare with yet");

      await lab.poll("wide");
      const second = manifests()[1]!;
      assert.ok(second.ifNoneMatch?.startsWith('"'), "the ETag of the last copy is sent back");
      assert.ok(second.ifModifiedSince, "and its Last-Modified");
      assert.equal(second.status, 304);
      assert.equal(second.bytes, undefined, "no body");

      lore.add("wide", [plainMail("e2-new", "wide@example.org")], { at: Y2026 + 100 });
      const third = await lab.poll("wide");
      assert.equal(manifests()[2]!.status, 200, "a changed manifest comes in full");
      assert.equal(third.stats.read, 1, "and the new mail is read");
    } finally {
      proxy.conditional = false;
      lab.close();
    }
  });
});
