// The ways to run pinwatch for months, kept true by reading them: the
// systemd unit (and `systemd-analyze verify` where systemd is installed),
// its settings file, the compose file, the Dockerfile's health check, and
// the secrets file example naming exactly the variables the config reads.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse as parseYaml } from "yaml";
import { loadConfig } from "../../src/config/load-config.js";
import { configSchema } from "../../src/config/schema.js";
import { ROOT } from "../helpers/fixtures.js";

const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const UNIT = "deploy/systemd/pinwatch.service";

/** key → values of a unit file's section (keys may repeat). */
function unitSection(text: string, name: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) current = section[1]!;
    else if (current === name) {
      const eq = line.indexOf("=");
      out.set(line.slice(0, eq), [...(out.get(line.slice(0, eq)) ?? []), line.slice(eq + 1)]);
    }
  }
  return out;
}

test("the systemd unit runs the daemon as its own user, with the secrets from an environment file and a graceful stop", () => {
  const service = unitSection(read(UNIT), "Service");
  const one = (k: string) => service.get(k)?.[0];
  assert.equal(one("ExecStart"), "/usr/bin/node /opt/pinwatch/dist/src/cli/main.js run --config /etc/pinwatch/pinwatch.yaml");
  assert.equal(one("EnvironmentFile"), "/etc/pinwatch/pinwatch.env");
  assert.equal(one("User"), "pinwatch");
  assert.equal(one("KillSignal"), "SIGTERM");
  assert.equal(one("Restart"), "on-failure");
  assert.equal(one("StateDirectory"), "pinwatch");
  assert.equal(one("ProtectSystem"), "strict", "it writes only its state directory");
  assert.equal(unitSection(read(UNIT), "Install").get("WantedBy")?.[0], "multi-user.target");

  // Its settings are valid and keep everything it writes in the state directory.
  const config = loadConfig(join(ROOT, "deploy", "systemd", "pinwatch.yaml"));
  for (const path of [config.poller.database, config.poller.mirrorDir, config.outbox.dir]) assert.match(path, /^\/var\/lib\/pinwatch\//);
  assert.equal(config.lists[0]!.source.type, "git");
});

test("systemd-analyze verify finds nothing wrong with the unit", { skip: (spawnSync("systemd-analyze", ["--version"]).status !== 0 && "systemd-analyze is not installed") || (!existsSync("/usr/bin/node") && "the unit's /usr/bin/node is not on this machine") }, () => {
  const r = spawnSync("systemd-analyze", ["verify", join(ROOT, UNIT)], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.trim(), "", "no warnings");
});

test("compose.yaml builds the Dockerfile's image, keeps var/ in a volume, reads pinwatch.env and checks /healthz", () => {
  const compose = parseYaml(read("compose.yaml")) as { services: Record<string, Record<string, unknown>>; volumes: Record<string, unknown> };
  const s = compose.services.pinwatch!;
  assert.equal(s.build, ".");
  assert.deepEqual(s.command, ["run", "--config", "config/docker.yaml"]);
  loadConfig(join(ROOT, "config", "docker.yaml"));
  assert.deepEqual(s.env_file, [{ path: "./pinwatch.env", required: false }]);
  assert.deepEqual(s.volumes, ["pinwatch-var:/app/var"]);
  assert.ok("pinwatch-var" in compose.volumes);
  assert.deepEqual(s.ports, ["127.0.0.1:8080:8080"]);
  assert.equal(s.stop_signal, "SIGTERM");
  assert.match(JSON.stringify((s.healthcheck as { test: string[] }).test), /http:\/\/127\.0\.0\.1:8080\/healthz/);
  assert.match(read(".gitignore"), /^pinwatch\.env$/m, "the secrets file is never committed");
});

test("the Dockerfile checks /healthz too, and the README documents all three next to each other", () => {
  assert.match(read("Dockerfile"), /^HEALTHCHECK .*\n?.*\/healthz/m);
  const readme = read("README.md");
  const docker = readme.indexOf("## Docker");
  assert.ok(docker > 0);
  const section = readme.slice(docker, readme.indexOf("\n## ", docker + 1) > 0 ? readme.indexOf("\n## ", docker + 1) : undefined);
  for (const name of ["compose.yaml", "deploy/systemd/pinwatch.service", "pinwatch.env", "systemd-analyze verify"]) assert.ok(section.includes(name), `README's Docker section names ${name}`);
});

test("the secrets example names exactly the environment variables the config reads", () => {
  const defaults = configSchema.parse({});
  const wanted = [defaults.outbox.smtp.userEnv, defaults.outbox.smtp.passwordEnv, defaults.web.tokenEnv, defaults.web.secretEnv].sort();
  const named = read("deploy/pinwatch.env.example").split("\n").filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.slice(0, l.indexOf("="))).sort();
  assert.deepEqual(named, wanted);
});
