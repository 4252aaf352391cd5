// End to end on loopback: a real public-inbox serves a list; pinwatch polls
// its git epochs, reviews a patch, and sends its reply by SMTP to a local
// server that delivers into the same inbox through public-inbox-mda. The
// reply shows up threaded under the patch in /<msgid>/T/, and the next poll
// reads the bot's own reply without answering it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { hasPublicInbox, LocalLore } from "../helpers/local-lore.js";
import { gupPatch, plainMail } from "../helpers/mail-factory.js";
import { pollerLab } from "../helpers/poller-setup.js";
import { SmtpLab } from "../helpers/smtp-lab.js";

const skip = !hasPublicInbox && "public-inbox is not installed (apt-get install public-inbox; .ci/run does)";

let lore: LocalLore;
let smtp: SmtpLab;
before(async () => {
  if (skip) return;
  lore = await LocalLore.create(["e2e"]);
  smtp = await SmtpLab.start();
  smtp.deliver = (m) => lore.mda("e2e", m.raw);
});
after(async () => {
  await smtp?.close();
  await lore?.close();
});

test("patch → review → SMTP → public-inbox-mda → threaded under the patch; the bot's reply is never answered", { skip, timeout: 60_000 }, async () => {
  lore.add("e2e", [plainMail("hello", "e2e@example.org"), gupPatch("e2e-1", "e2e@example.org")]);
  const lab = pollerLab(
    [{ name: "e2e", address: "e2e@example.org", replyMode: "live", source: { type: "git", url: lore.url("e2e") } }],
    {},
    {
      bot: { name: "pinwatch", address: "pinwatch@bot.example", messageIdDomain: "pinwatch.example" },
      outbox: { smtp: { host: "127.0.0.1", port: smtp.port, security: "none", timeoutSeconds: 10 } },
    },
  );
  try {
    const first = await lab.poll("e2e");
    assert.equal(first.stats.reviewed, 1);
    assert.equal(first.delivery.sent, 1);
    assert.equal(smtp.received.length, 1);
    const reply = smtp.received[0]!;
    assert.deepEqual(reply.envelopeTo.sort(), ["bo@example.net", "e2e@example.org", "leon@example.com"].sort(), "reply-all: the author, the list and the Cc");

    // The archive threads it under the patch.
    const thread = await (await fetch(`${lore.url("e2e")}/gup-e2e-1@example.net/T/`)).text();
    assert.match(thread, /Re: \[PATCH\] RDMA\/foo: register user memory regions \(e2e-1\)/);
    assert.match(thread, /pinwatch/);
    const raw = await (await fetch(`${lore.url("e2e")}/${reply.messageId}/raw`)).text();
    assert.match(raw, /^In-Reply-To: <gup-e2e-1@example\.net>/m);
    assert.match(raw, /^Auto-Submitted: auto-generated/m);

    // The next poll reads the bot's own reply from the archive and answers nothing.
    const second = await lab.poll("e2e");
    assert.equal(second.stats.stored, 1, "the reply, as archived");
    assert.equal(second.stats.reviewed, 0);
    assert.equal(second.delivery.sent, 0);
    assert.equal(smtp.received.length, 1);
    assert.deepEqual(lab.query("SELECT state, delivered_via FROM outbox"), [{ state: "sent", delivered_via: "smtp" }]);
    assert.deepEqual(lab.query("SELECT kind FROM messages WHERE message_id = ?", reply.messageId), [{ kind: "reply" }]);
  } finally {
    lab.close();
  }
});
