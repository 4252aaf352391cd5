// Who pinwatch answers and who gets the answer: never bots, itself, replies
// or cover letters; the author (in-body From, or the real one behind b4's
// web relay), with the sender Cc'd; reply-all minus the bot, other bots,
// opt-outs, lists that have not opted in, and duplicates.
import assert from "node:assert/strict";
import { test } from "node:test";
import { configSchema } from "../../src/config/schema.js";
import { parseMail } from "../../src/mail/parse-mail.js";
import { recipients, replyDecision, replyPolicyFor } from "../../src/reply/reply-policy.js";
import { readFixture } from "../helpers/fixtures.js";

const config = configSchema.parse({
  bot: { address: "pinwatch@bot.example", messageIdDomain: "pinwatch.example" },
  outbox: { optOut: ["Quiet@Example.org"] },
  lists: [
    { name: "linux-mm", address: "linux-mm@kvack.org", replyMode: "live", source: { type: "mailbox", path: "x" } },
    { name: "io-uring", address: "io-uring@vger.kernel.org", replyMode: "dry-run", source: { type: "mailbox", path: "y" } },
  ],
});
const policy = replyPolicyFor(config, "linux-mm");

type Mail = Awaited<ReturnType<typeof parseMail>>;

function mail(headers: string[], subject = "[PATCH] mm: pin the pages"): Promise<Mail> {
  const head = [...headers, `Subject: ${subject}`, "Date: Tue, 03 Jun 2025 10:00:00 +0000"];
  if (!headers.some((h) => /^message-id:/i.test(h))) head.push("Message-ID: <p1@example.org>");
  const body = ["diff --git a/a.c b/a.c", "--- a/a.c", "+++ b/a.c", "@@ -1 +1 @@", "-x", "+y", ""];
  return parseMail({ source: "test", bytes: Buffer.from([...head, "", ...body].join("\n")) });
}

test("b4's web relay: the reply goes to the real author, never to the relay address", async () => {
  const m = await mail([
    "From: Ada Example via B4 Relay <devnull+ada.example.org@kernel.org>",
    "To: linux-mm@kvack.org",
    "Cc: John Reviewer <john@example.com>",
    "X-Endpoint-Received: by B4 Relay for ada@example.org/20250101 with auth_id=1",
    "X-Original-From: Ada Example <ada@example.org>",
    "Reply-To: ada@example.org",
  ]);
  assert.equal(m.viaRelay, true);
  assert.deepEqual(m.author, { name: "Ada Example", address: "ada@example.org" });
  assert.deepEqual(replyDecision(m, policy), { reply: true });
  const r = recipients(m, policy);
  assert.deepEqual(r.to.map((a) => a.address), ["ada@example.org"]);
  assert.deepEqual(r.cc.map((a) => a.address), ["linux-mm@kvack.org", "john@example.com"]);
});

test("a relay without X-Original-From falls back to Reply-To", async () => {
  const m = await mail(["From: Bo via B4 Relay <devnull+bo.example.net@kernel.org>", "To: linux-mm@kvack.org", "Reply-To: Bo <bo@example.net>"]);
  assert.equal(m.author?.address, "bo@example.net");
});

test("reply-all leaves out the bot, people who opted out, lists still in dry-run, and duplicates", async () => {
  const m = await mail([
    "From: Ada <ada@example.org>",
    "To: linux-mm@kvack.org, io-uring@vger.kernel.org",
    "Cc: pinwatch@bot.example, quiet@example.org, ADA@example.org, John <john@example.com>, john@EXAMPLE.com",
  ]);
  const r = recipients(m, policy);
  assert.deepEqual(r.to.map((a) => a.address), ["ada@example.org"]);
  assert.deepEqual(r.cc.map((a) => a.address), ["linux-mm@kvack.org", "john@example.com"]);
});

test("never answered: replies, cover letters, automated mail, known bots, pinwatch itself, opted-out authors", async () => {
  const cases: [string, Promise<Mail>, RegExp][] = [
    ["a reply", mail(["From: Ada <ada@example.org>", "In-Reply-To: <x@example.org>"], "Re: [PATCH] mm: pin the pages"), /reply/],
    ["a cover letter", mail(["From: Ada <ada@example.org>"], "[PATCH 0/3] mm: pins"), /cover letter/],
    ["Auto-Submitted", mail(["From: Ada <ada@example.org>", "Auto-Submitted: auto-generated"]), /automated/],
    ["the kernel test robot", mail(["From: kernel test robot <lkp@intel.com>"]), /bot/],
    ["a bot's X-Mailer", mail(["From: CI <ci-runner@example.org>", "X-Mailer: patchwork-bot 1.0"]), /X-Mailer/],
    ["pinwatch's own address", mail(["From: pinwatch <pinwatch@bot.example>"]), /own mail/],
    ["pinwatch's Message-ID", mail(["From: Someone <s@example.org>", "Message-ID: <pinwatch-abc@pinwatch.example>"]), /own mail/],
    ["pinwatch's header", mail(["From: Someone <s@example.org>", "X-Pinwatch-Key: abc"]), /own mail/],
    ["an author who opted out", mail(["From: Quiet <quiet@example.org>"]), /opted out/],
  ];
  for (const [what, pending, reason] of cases) {
    const decision = replyDecision(await pending, policy);
    assert.equal(decision.reply, false, what);
    assert.match((decision as { reason: string }).reason, reason, what);
  }
  const human = await mail(["From: Ada <ada@example.org>", "Auto-Submitted: no"]);
  assert.deepEqual(replyDecision(human, policy), { reply: true }, "Auto-Submitted: no is a person");
});

test("a b4-relay patch with an in-body From: the author is the in-body From, greeted by name; the relay is never mailed", async () => {
  const m = await parseMail({ source: "relay", bytes: readFixture("mail", "b4-relay-in-body-from.eml") });
  assert.deepEqual(m.author, { name: "Ada Example", address: "ada@example.org" });
  assert.equal(m.viaRelay, true);
  const r = recipients(m, policy);
  assert.deepEqual(r.to.map((a) => a.address), ["ada@example.org"]);
  assert.deepEqual(r.cc.map((a) => a.address), ["kvm@vger.kernel.org", "alex@example.com", "linux-mm@kvack.org"]);
  assert.ok(![...r.to, ...r.cc].some((a) => /devnull/.test(a.address)));
});

test("a patch sent on its author's behalf: To the in-body From, the sender Cc'd; the kernel test robot, patchwork bots and pinwatch dropped from Cc", async () => {
  const defaults = replyPolicyFor(configSchema.parse({}));
  const m = await parseMail({ source: "behalf", bytes: readFixture("mail", "patch-on-behalf-cc-robot.eml") });
  assert.deepEqual(m.author, { name: "Cyd Author", address: "cyd@example.net" });
  assert.deepEqual(m.from, { name: "Jon Maintainer", address: "jon@example.com" });
  assert.deepEqual(replyDecision(m, defaults), { reply: true });
  const r = recipients(m, defaults);
  assert.deepEqual(r.to.map((a) => a.address), ["cyd@example.net"]);
  assert.deepEqual(r.cc.map((a) => a.address), ["jon@example.com", "linux-block@vger.kernel.org", "oe-kbuild-all@lists.linux.dev"]);
  // The list of bots is configuration: without the name rule, the robot's other address stays.
  const loose = replyPolicyFor(configSchema.parse({ outbox: { botNames: [] } }));
  assert.ok(recipients(m, loose).cc.some((a) => a.address === "oliver.sang@intel.com"));
  assert.ok(!recipients(m, loose).cc.some((a) => a.address === "lkp@intel.com"), "still dropped by its address");
});

test("a bot known only by its name is not answered either", async () => {
  const m = await mail(["From: kernel test robot <oliver.sang@intel.com>"]);
  const decision = replyDecision(m, policy);
  assert.equal(decision.reply, false);
  assert.match((decision as { reason: string }).reason, /bot \(oliver\.sang@intel\.com\)/);
});

test("in-body From: only the block of From/Subject/Date lines at the top of a patch's body counts", async () => {
  const { inBodyFrom } = await import("../../src/mail/in-body-from.js");
  assert.deepEqual(inBodyFrom("\nFrom: =?UTF-8?Q?J=C3=B6rg?= Example <jorg@example.org>\nDate: Mon, 1 Jan 2025\n\nbody"), { name: "Jörg Example", address: "jorg@example.org" });
  assert.deepEqual(inBodyFrom("Subject: [PATCH] x\nFrom: A <a@example.org>\n\nbody"), { name: "A", address: "a@example.org" });
  assert.equal(inBodyFrom("Some text first.\nFrom: A <a@example.org>\n"), undefined);
  assert.equal(inBodyFrom("From: nobody\n\n"), undefined);
  const reply = await mail(["From: Ada <ada@example.org>", "In-Reply-To: <x@example.org>"], "Re: [PATCH] mm: pin the pages");
  assert.equal(reply.author?.address, "ada@example.org");
});
