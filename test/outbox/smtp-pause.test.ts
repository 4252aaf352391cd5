// A mail server that refuses pinwatch itself (a wrong password: 535; no
// login: 530) pauses sending with one clear error: no reply is failed or
// spends an attempt, the pause holds the rest without asking the server
// again, and once the login is right `outbox send` resumes. `outbox retry
// --all` makes every failed reply due again.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { ROOT } from "../helpers/fixtures.js";
import { gupPatch, mboxEntry } from "../helpers/mail-factory.js";
import { pollerLab, type PollerLab } from "../helpers/poller-setup.js";
import { SmtpLab } from "../helpers/smtp-lab.js";

const MAIN = join(ROOT, "dist", "src", "cli", "main.js");

let smtp: SmtpLab;
let lab: PollerLab;
let mailbox: string;
const patches: string[] = [];

function addPatches(...tags: string[]): void {
  for (const t of tags) patches.push(mboxEntry(gupPatch(`pause-${t}`)));
  writeFileSync(mailbox, patches.join(""));
}

function cli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [MAIN, ...args, "--config", lab.configPath], { env: { ...process.env, PINWATCH_LOG_LEVEL: "silent", ...env } });
  let stdout = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout })));
}

const byState = () => lab.query<{ state: string; n: number; attempts: number }>("SELECT state, COUNT(*) AS n, MAX(attempts) AS attempts FROM outbox GROUP BY state ORDER BY state");

before(async () => {
  smtp = await SmtpLab.start({ login: { user: "pinwatch", pass: "right" } });
  mailbox = join(mkdtempSync(join(tmpdir(), "pinwatch-pause-")), "list.mbox");
  lab = pollerLab(
    [{ name: "pause", replyMode: "live", source: { type: "mailbox", path: mailbox } }],
    {},
    {
      bot: { address: "pinwatch@bot.example", messageIdDomain: "pinwatch.example" },
      outbox: {
        smtp: { host: "127.0.0.1", port: smtp.port, security: "none", timeoutSeconds: 5, userEnv: "PW_TEST_SMTP_USER", passwordEnv: "PW_TEST_SMTP_PASSWORD" },
        // Two attempts would fail a reply: a pause must spend none.
        maxAttempts: 2,
        retryBaseSeconds: 60,
        retryMaxSeconds: 3600,
      },
    },
  );
});
after(async () => {
  delete process.env.PW_TEST_SMTP_USER;
  delete process.env.PW_TEST_SMTP_PASSWORD;
  lab?.close();
  await smtp?.close();
  rmSync(dirname(mailbox), { recursive: true, force: true });
});

test("a wrong password (535) pauses sending: nothing failed, no attempt spent, the server asked once", async () => {
  process.env.PW_TEST_SMTP_USER = "pinwatch";
  process.env.PW_TEST_SMTP_PASSWORD = "wrong";
  addPatches("a", "b", "c", "d", "e");
  const first = await lab.poll("pause");
  assert.equal(first.stats.replies, 5);
  assert.deepEqual([first.delivery.sent, first.delivery.failed, first.delivery.retrying], [0, 0, 0]);
  assert.match(first.delivery.paused ?? "", /^PW_E_SMTP_CONFIG .*refused pinwatch.*535/);
  assert.deepEqual(byState(), [{ state: "pending", n: 5, attempts: 0 }]);
  assert.equal(smtp.logins.length, 1, "one try, not one per reply");

  for (let i = 0; i < 3; i++) {
    const again = await lab.deliver();
    assert.equal(again.sent + again.failed, 0);
    assert.ok(again.paused);
  }
  assert.equal(smtp.logins.length, 1, "while paused the server is not asked again");
  assert.deepEqual(byState(), [{ state: "pending", n: 5, attempts: 0 }], "and no reply spent an attempt");

  const list = await cli(["outbox", "list"], {});
  assert.match(list.stdout, /^sending is paused since .*\(PW_E_SMTP_CONFIG\).*535/m);
  const listJson = await cli(["outbox", "list", "--json"], {});
  const { outbox, sendingPause } = JSON.parse(listJson.stdout);
  assert.equal(outbox.length, 5);
  assert.equal(sendingPause.code, "PW_E_SMTP_CONFIG");
  assert.match(sendingPause.reason, /535/);
  const stillWrong = await cli(["outbox", "send"], {});
  assert.equal(stillWrong.code, 1, "`outbox send` tries at once, and says it is still paused");
  assert.match(stillWrong.stdout, /sending paused: PW_E_SMTP_CONFIG/);
  assert.equal(smtp.logins.length, 2);

  const fixed = await cli(["outbox", "send"], { PW_TEST_SMTP_PASSWORD: "right" });
  assert.equal(fixed.code, 0);
  assert.deepEqual(byState(), [{ state: "sent", n: 5, attempts: 1 }]);
  assert.equal(smtp.distinctMessageIds().size, 5);
  assert.equal(await lab.withStore((s) => s.sendingPause()), undefined, "the pause is over");
});

test("no login at all (530) pauses the same way", async () => {
  delete process.env.PW_TEST_SMTP_USER;
  delete process.env.PW_TEST_SMTP_PASSWORD;
  addPatches("f");
  const poll = await lab.poll("pause");
  assert.equal(poll.delivery.failed, 0);
  assert.match(poll.delivery.paused ?? "", /PW_E_SMTP_CONFIG .*530/);
  const fixed = await cli(["outbox", "send"], { PW_TEST_SMTP_USER: "pinwatch", PW_TEST_SMTP_PASSWORD: "right" });
  assert.equal(fixed.code, 0);
  assert.equal(smtp.distinctMessageIds().size, 6);
});

test("`outbox retry --all` makes every failed reply due again", async () => {
  process.env.PW_TEST_SMTP_USER = "pinwatch";
  process.env.PW_TEST_SMTP_PASSWORD = "right";
  addPatches("g", "h");
  smtp.fault("5xx", "5xx");
  const poll = await lab.poll("pause");
  assert.equal(poll.delivery.failed, 2);
  const both = await cli(["outbox", "retry", "--all", "1"], {});
  assert.equal(both.code, 2, "one reply or --all, not both");
  const neither = await cli(["outbox", "retry"], {});
  assert.equal(neither.code, 2, "retry needs a reply or --all");
  const retry = await cli(["outbox", "retry", "--all", "--json"], {});
  assert.equal(retry.code, 0);
  assert.deepEqual(JSON.parse(retry.stdout), { retried: 2, pauseLifted: false });
  assert.equal((await lab.deliver()).sent, 2);
  assert.deepEqual(byState().map((r) => r.state), ["sent"]);
  assert.equal(smtp.distinctMessageIds().size, 8);
});
