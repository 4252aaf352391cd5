import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadConfig, validateConfig } from "../../src/config/load-config.js";
import { configSchema } from "../../src/config/schema.js";
import { PinwatchError } from "../../src/errors.js";

test("config/default.yaml is valid and equals the schema's defaults", () => {
  assert.deepEqual(loadConfig(), configSchema.parse({}));
});

test("an override file merges over the defaults", () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-config-"));
  const path = join(dir, "local.yaml");
  writeFileSync(path, "bot:\n  address: review-bot@example.org\nreply:\n  wrapColumn: 76\n");
  const config = loadConfig(path);
  assert.equal(config.bot.address, "review-bot@example.org");
  assert.equal(config.bot.name, "pinwatch");
  assert.equal(config.reply.wrapColumn, 76);
});

test("a bad setting fails with PW_E_CONFIG naming the setting", () => {
  assert.throws(() => validateConfig({ reply: { wrapColumn: 5, mailSeverities: ["info"] } }, "test.yaml"), (err: unknown) => {
    assert.ok(err instanceof PinwatchError);
    assert.equal(err.code, "PW_E_CONFIG");
    assert.match(err.message, /^test\.yaml: /);
    assert.match(err.message, /reply\.wrapColumn/);
    assert.match(err.message, /reply\.mailSeverities\.0/);
    return true;
  });
});
