// kill -9 of live SMTP delivery between the server's accept and pinwatch's
// record, over a real public-inbox that archives what the server accepts
// (public-inbox-mda). Before an in-doubt reply goes out again, the archives
// of the lists it went to are asked (NNTP STAT, /<msgid>/raw over HTTP):
// one that has it settles it; while none can be asked, nothing is sent; only
// when the archives answer that they do not have it is it sent again (same
// Message-ID, same bytes). Counts owed, delivered and doubled replies.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { configSchema } from "../../src/config/schema.js";
import { subsystemLogger } from "../../src/log.js";
import { createArchiveLookup } from "../../src/outbox/archive-lookup.js";
import { ROOT } from "../helpers/fixtures.js";
import { hasPublicInbox, LocalLore } from "../helpers/local-lore.js";
import { gupPatch, plainMail } from "../helpers/mail-factory.js";
import { pollerLab, type PollerLab } from "../helpers/poller-setup.js";
import { SmtpLab } from "../helpers/smtp-lab.js";

const skip = !hasPublicInbox && "public-inbox is not installed (apt-get install public-inbox; .ci/run does)";
const MAIN = join(ROOT, "dist", "src", "cli", "main.js");
const LISTS = ["live-http", "live-nntp"];

describe("in-doubt live replies are looked up in the archives before any re-send", { skip }, () => {
  let lore: LocalLore;
  let smtp: SmtpLab;
  let lab: PollerLab;
  /** Whether the list archives what the server accepts (off: the copy never reaches it). */
  let archiveEchoes = true;

  before(async () => {
    lore = await LocalLore.create(LISTS);
    smtp = await SmtpLab.start();
    smtp.deliver = (m) => {
      if (!archiveEchoes) return;
      for (const list of LISTS) if (m.envelopeTo.includes(`${list}@example.org`)) lore.mda(list, m.raw);
    };
    lab = pollerLab(
      [
        { name: "live-http", address: "live-http@example.org", replyMode: "live", source: { type: "git", url: lore.url("live-http") } },
        { name: "live-nntp", address: "live-nntp@example.org", replyMode: "live", source: { type: "nntp", host: "127.0.0.1", port: lore.nntpPort, group: lore.group("live-nntp") } },
      ],
      {},
      {
        bot: { address: "pinwatch@bot.example", messageIdDomain: "pinwatch.example" },
        outbox: { smtp: { host: "127.0.0.1", port: smtp.port, security: "none", timeoutSeconds: 5 }, retryBaseSeconds: 0, retryMaxSeconds: 0, claimTimeoutSeconds: 1, inDoubtWaitMinutes: 0 },
      },
    );
  });
  after(async () => {
    lab?.close();
    await smtp?.close();
    await lore?.close();
  });

  /** Records replies for new patches on both lists while the mail server is down: all owed, none sent. */
  async function owe(tags: string[]): Promise<void> {
    await smtp.down();
    for (const list of LISTS) {
      lore.add(list, tags.map((t) => gupPatch(`${list}-${t}`, `${list}@example.org`)));
      await lab.poll(list);
    }
    await smtp.up();
  }

  function outboxSend(killAtAccept: boolean): Promise<{ code: number | null; killed: boolean }> {
    const child = spawn(process.execPath, [MAIN, "outbox", "send", "--config", lab.configPath], { stdio: "ignore", env: { ...process.env, PINWATCH_LOG_LEVEL: "silent" } });
    if (killAtAccept) {
      smtp.fault("hold-250");
      smtp.onAccepted = () => child.kill("SIGKILL");
    }
    return new Promise((resolve) =>
      child.on("exit", (code, signal) => {
        // A fault not used up (nothing was left to send) must not hit a later run.
        if (killAtAccept && signal !== "SIGKILL") smtp.faults.length = 0;
        resolve({ code, killed: signal === "SIGKILL" });
      }),
    );
  }

  const pastClaimTimeout = () => new Promise((r) => setTimeout(r, 1100));
  const states = () => lab.query<{ state: string; via: string | null; n: number }>("SELECT state, delivered_via AS via, COUNT(*) AS n FROM outbox GROUP BY 1, 2 ORDER BY 1, 2");
  const outboxSize = () => (existsSync(lab.config.poller.database) ? lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM outbox")[0]!.n : 0);
  /** This round's replies: owed since `before`, delivered (distinct Message-IDs the server got), doubled (copies beyond one). */
  function counts(before: number): { owed: number; delivered: number; doubled: number } {
    const delivered = smtp.distinctMessageIds().size;
    return { owed: outboxSize() - before, delivered, doubled: smtp.received.length - delivered };
  }

  test("the lookup itself: STAT over NNTP, /raw over HTTP, a local mailbox; an archive that is down cannot be asked", async () => {
    const config = configSchema.parse({ poller: { requestTimeoutSeconds: 5 } });
    const lookup = createArchiveLookup(config, subsystemLogger("test").child({ level: "silent" }));
    lore.add("live-http", [plainMail("lookup", "live-http@example.org")]);
    lore.add("live-nntp", [plainMail("lookup", "live-nntp@example.org")]);
    const [http, nntp] = lab.config.lists;
    assert.deepEqual(await lookup(http!, "plain-lookup@example.org"), { answer: "found" });
    assert.deepEqual(await lookup(http!, "nowhere@example.net"), { answer: "absent" });
    assert.deepEqual(await lookup(nntp!, "plain-lookup@example.org"), { answer: "found" });
    assert.deepEqual(await lookup(nntp!, "nowhere@example.net"), { answer: "absent" });
    const local = configSchema.parse({ lists: [{ name: "l", source: { type: "git", url: lore.inboxDir("live-http") } }] }).lists[0]!;
    assert.deepEqual(await lookup(local, "plain-lookup@example.org"), { answer: "cannot-ask" });
    await lore.stopNntp();
    await lore.stopHttp();
    try {
      assert.equal((await lookup(http!, "plain-lookup@example.org")).answer, "unavailable");
      assert.equal((await lookup(nntp!, "plain-lookup@example.org")).answer, "unavailable");
    } finally {
      await lore.startHttp();
      await lore.startNntp();
    }
  });

  test("kill -9 after every accept: each in-doubt reply is found in its archive and never sent twice", { timeout: 180_000 }, async () => {
    smtp.received.length = 0;
    const before = outboxSize();
    await owe(["a", "b", "c", "d"]);
    const owed = lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'")[0]!.n;
    assert.equal(owed, 8);
    let kills = 0;
    for (;;) {
      const run = await outboxSend(true);
      if (!run.killed) {
        assert.equal(run.code, 0);
        break;
      }
      kills++;
      await pastClaimTimeout();
    }
    assert.equal(kills, owed, "one kill per reply");
    assert.deepEqual(states(), [{ state: "sent", via: "archive", n: owed }], "each confirmed by its archive, none re-sent");
    const c = counts(before);
    assert.deepEqual(c, { owed, delivered: owed, doubled: 0 });
    process.stderr.write(`live kill -9 at accept, archives answering (${kills} kills): owed ${c.owed}, delivered ${c.delivered}, doubled ${c.doubled}\n`);
  });

  test("while no archive can be asked, an in-doubt reply waits; once one answers, it is settled without a second send", { timeout: 120_000 }, async () => {
    smtp.received.length = 0;
    const before = outboxSize();
    await owe(["down"]);
    await lore.stopHttp();
    await lore.stopNntp();
    try {
      assert.equal((await outboxSend(true)).killed, true);
      await pastClaimTimeout();
      // The other reply is not in doubt and goes out; the one in doubt waits.
      const second = await outboxSend(false);
      assert.equal(second.code, 0);
      assert.equal(smtp.received.length, 2);
      const waiting = lab.query<{ last_error: string }>("SELECT last_error FROM outbox WHERE state = 'pending'");
      assert.equal(waiting.length, 1);
      assert.match(waiting[0]!.last_error, /in doubt: the archive of live-(http|nntp) .*cannot be asked/);
      assert.equal((await outboxSend(false)).code, 0);
      assert.equal(smtp.received.length, 2, "still not sent again");
    } finally {
      await lore.startHttp();
      await lore.startNntp();
    }
    assert.equal((await outboxSend(false)).code, 0);
    assert.equal(lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE state != 'sent'")[0]!.n, 0);
    const c = counts(before);
    assert.deepEqual(c, { owed: 2, delivered: 2, doubled: 0 });
    process.stderr.write(`live kill -9 at accept, archives down then back: owed ${c.owed}, delivered ${c.delivered}, doubled ${c.doubled}\n`);
  });

  test("the archives answer that they never got it (the server accepted it, the list lost it): sent again, byte for byte", { timeout: 60_000 }, async () => {
    smtp.received.length = 0;
    const before = outboxSize();
    await owe(["lost"]);
    archiveEchoes = false;
    assert.equal((await outboxSend(true)).killed, true);
    archiveEchoes = true;
    await pastClaimTimeout();
    assert.equal((await outboxSend(false)).code, 0);
    assert.equal(lab.query<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE state != 'sent'")[0]!.n, 0);
    const lost = smtp.received.filter((m, i) => smtp.received.findIndex((o) => o.messageId === m.messageId) !== i);
    assert.equal(lost.length, 1, "the one copy the archive never got is sent again");
    assert.equal(lost[0]!.raw, smtp.received.find((m) => m.messageId === lost[0]!.messageId)!.raw, "the same bytes, the same Message-ID");
    const c = counts(before);
    assert.deepEqual(c, { owed: 2, delivered: 2, doubled: 1 });
    process.stderr.write(`live kill -9 at accept, the copy lost before the archive: owed ${c.owed}, delivered ${c.delivered}, doubled ${c.doubled} (the lost copy, sent again)\n`);
  });
});
