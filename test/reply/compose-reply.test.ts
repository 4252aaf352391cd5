import assert from "node:assert/strict";
import { test } from "node:test";
import { initCParser } from "../../src/analysis/c-parser.js";
import { configSchema } from "../../src/config/schema.js";
import { parseMail } from "../../src/mail/parse-mail.js";
import { composeReply } from "../../src/reply/compose-reply.js";
import { replyPolicyFor } from "../../src/reply/reply-policy.js";
import { renderRfc5322 } from "../../src/reply/render-rfc5322.js";
import { ALL_RULES } from "../../src/rules/index.js";
import { reviewMail } from "../../src/review/review-mail.js";
import { readFixture } from "../helpers/fixtures.js";

const config = configSchema.parse({ bot: { address: "bot@pinwatch.test", contact: "humans@pinwatch.test" } });
const options = {
  bot: config.bot, reply: config.reply, rulesetVersion: "test-1", version: "0.0.0-test", now: new Date("2025-05-13T00:00:00Z"), policy: replyPolicyFor(config),
};

async function reviewed(name: string) {
  await initCParser();
  const mail = await parseMail({ source: name, bytes: readFixture("mail", name) });
  return { mail, review: reviewMail(mail, { rules: ALL_RULES, config }) };
}

test("the reply is threaded, reply-all, plain text and cites the case", async () => {
  const { mail, review } = await reviewed("patch-case5-write.eml");
  assert.deepEqual(review.findings.map((f) => [f.rule, f.severity, f.line, f.function]), [["gup-data-access", "warning", 56, "ubuf_post_record"]]);
  const reply = composeReply(mail, review.findings, options)!;
  assert.equal(reply.subject, "Re: [PATCH v2 3/5] ubuf: write completion records into the user buffer");
  assert.equal(reply.inReplyTo, "20250512080000.1000-4-ada@example.org");
  assert.deepEqual(reply.references, ["20250512080000.1000-1-ada@example.org", "20250512080000.1000-4-ada@example.org"]);
  assert.deepEqual(reply.to.map((a) => a.address), ["ada@example.org"]);
  assert.deepEqual(reply.cc.map((a) => a.address), ["linux-mm@kvack.org", "john@example.com", "linux-kernel@vger.kernel.org"]);
  const body = reply.body;
  assert.match(body, /^Hi Ada,\n/);
  assert.match(body, /^> \+\tret = get_user_pages_fast\(uaddr, 1, FOLL_WRITE, &page\);$/m);
  assert.match(body, /^> \+\tmemcpy\(kaddr \+ off, rec, len\);$/m);
  assert.match(body, /^> \+\tput_page\(page\);$/m);
  assert.doesNotMatch(body, /ubuf_ioctl/, "quotes only the lines the comment is about");
  assert.match(body, /CASE 5/);
  assert.match(body, /https:\/\/docs\.kernel\.org\/core-api\/pin_user_pages\.html#case-5-pinning-in-order-to-write-to-the-data-within-the-page/);
  assert.match(body, /lock_page\(\)/, "gives the lock_page() alternative argued on the list");
  assert.match(body, /\n-- \n/);
  assert.match(body, /automated/);
  assert.match(body, /humans@pinwatch\.test/);
  assert.doesNotMatch(body, /^(Reviewed|Acked|Tested)-by:/m);
  for (const line of body.split("\n")) {
    // Quoted diff lines and links are never wrapped; nor is a trailer holding a link (| Closes: <url>).
    if (line.startsWith(">") || /^https?:\/\//.test(line) || /^\| [A-Za-z-]+: https?:\/\/\S+$/.test(line)) continue;
    assert.ok(line.length <= 72, `line longer than 72 columns: ${line}`);
  }
});

test("introduction and signature stay within six lines, and the prose never names a rule id", async () => {
  const { mail, review } = await reviewed("patch-pin-put-page.eml");
  for (const bot of [config.bot, configSchema.parse({}).bot]) {
    const body = composeReply(mail, review.findings, { ...options, bot })!.body;
    const lines = body.split("\n");
    const intro = lines.slice(0, lines.findIndex((l) => / wrote:$/.test(l))).filter((l) => l.trim() !== "");
    const signature = lines.slice(lines.indexOf("-- ")).filter((l) => l.trim() !== "");
    assert.ok(intro.length + signature.length <= 6, `${intro.length} + ${signature.length} lines:\n${[...intro, ...signature].join("\n")}`);
    assert.match(intro[0]!, /^Hi Bo,$/);
    assert.match(signature.join("\n"), /never a Reviewed-by/);
    assert.match(signature.join("\n"), new RegExp(`A human: ${bot.contact.replace(/\./g, "\\.")}\. Write there to opt out\.`));
    const prose = lines.filter((l) => !l.startsWith(">") && !/^https?:\/\//.test(l)).join("\n");
    for (const rule of ALL_RULES) assert.doesNotMatch(prose, new RegExp(`\\b${rule.meta.id}\\b`), rule.meta.id);
  }
});

test("the tag block the kernel test robot offers: Reported-by and Closes with the reply's own lore link, kept from b4's trailer pickup", async () => {
  const { mail, review } = await reviewed("patch-pin-put-page.eml");
  const reply = composeReply(mail, review.findings, options)!;
  const lines = reply.body.split("\n");
  const at = lines.indexOf("| Reported-by: pinwatch <bot@pinwatch.test>");
  assert.ok(at > 0, reply.body);
  assert.equal(lines[at + 1], `| Closes: https://lore.kernel.org/r/${reply.messageId}/`);
  assert.match(lines.slice(at - 2, at).join(" "), /separate commit rather than a new version of this patch/);
  assert.ok(at < lines.indexOf("-- "), "before the signature");
  assert.doesNotMatch(reply.body, /^(Reported-by|Closes):/m, "never a bare trailer line that b4 would collect");
});

test("the reply's Message-ID is stable and the rendered mail has the threading headers", async () => {
  const { mail, review } = await reviewed("patch-case5-write.eml");
  const a = composeReply(mail, review.findings, options)!;
  const b = composeReply(mail, review.findings, { ...options, now: new Date() })!;
  assert.equal(a.messageId, b.messageId);
  const raw = renderRfc5322(a);
  assert.match(raw, /^Message-ID: <pinwatch-[0-9a-f]{24}@pinwatch\.localhost>\r$/m);
  assert.match(raw, /^In-Reply-To: <20250512080000\.1000-4-ada@example\.org>\r$/m);
  assert.match(raw, /^Auto-Submitted: auto-generated\r$/m);
  assert.match(raw, /^Content-Type: text\/plain; charset=utf-8\r$/m);
  assert.doesNotMatch(raw, /bot@pinwatch\.test>?,?\r?\n?.*^Cc:/m);
});

test("no reply for a fix patch, and never one for info-only findings", async () => {
  const { mail, review } = await reviewed("patch-fix-unpin.eml");
  assert.deepEqual(review.findings, []);
  assert.equal(composeReply(mail, review.findings, options), null);
  const info = review.findings.concat();
  assert.equal(composeReply(mail, info, options), null);
});

test("the bot's own address is never a recipient", async () => {
  const { mail, review } = await reviewed("patch-case5-write.eml");
  mail.cc.push({ name: "pinwatch", address: "BOT@pinwatch.test" });
  const reply = composeReply(mail, review.findings, options)!;
  assert.ok(![...reply.to, ...reply.cc].some((a) => a.address.toLowerCase() === "bot@pinwatch.test"));
});
