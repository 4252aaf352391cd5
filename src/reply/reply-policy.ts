// Who pinwatch may answer, and who gets the answer. Pure: a parsed mail and
// the policy in, a decision out. A bot that answers replies, other bots or
// itself starts loops; one that mails people who opted out gets muted.
import type { BotConfig, OutboxConfig } from "../config/schema.js";
import type { Address, Mail } from "../mail/types.js";

export interface ReplyPolicy {
  bot: Pick<BotConfig, "address" | "messageIdDomain">;
  outbox: Pick<OutboxConfig, "optOut" | "botSenders" | "botNames" | "botMailers">;
  /** Posting addresses of followed lists that have not opted in to mail (dry-run lists). */
  mutedListAddresses: readonly string[];
}

export type ReplyDecision = { reply: true } | { reply: false; reason: string };

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

function matchesAny(value: string | undefined, patterns: readonly string[]): boolean {
  return !!value && patterns.some((p) => new RegExp(p, "i").test(value));
}

/** A known bot or automated sender, by address or by display name (the kernel test robot writes from several addresses). */
export function isBotAddress(a: Address | undefined, outbox: ReplyPolicy["outbox"]): boolean {
  return !!a && (matchesAny(a.address, outbox.botSenders) || matchesAny(a.name.trim(), outbox.botNames));
}

/** True for mail that pinwatch itself sent (its address, its Message-ID domain or its header). */
export function isOwnMail(mail: Pick<Mail, "from" | "messageId" | "pinwatchKey">, bot: ReplyPolicy["bot"]): boolean {
  if (mail.pinwatchKey) return true;
  if (mail.from && same(mail.from.address, bot.address)) return true;
  return mail.messageId.toLowerCase().endsWith(`@${bot.messageIdDomain.toLowerCase()}`);
}

/**
 * Whether a reviewed mail may be answered at all. Only patches are: never a
 * reply, a cover letter, automated mail, another bot's or pinwatch's own,
 * nor the patch of someone who opted out.
 */
export function replyDecision(mail: Mail, policy: ReplyPolicy): ReplyDecision {
  if (mail.kind !== "patch") return { reply: false, reason: `a ${mail.kind === "cover" ? "cover letter" : mail.kind}, not a patch` };
  if (isOwnMail(mail, policy.bot)) return { reply: false, reason: "pinwatch's own mail" };
  const auto = mail.autoSubmitted?.trim().toLowerCase();
  // RFC 3834: anything but "no" is automated.
  if (auto && !auto.startsWith("no")) return { reply: false, reason: `automated mail (Auto-Submitted: ${auto})` };
  if (matchesAny(mail.xMailer, policy.outbox.botMailers)) return { reply: false, reason: `sent by a bot (X-Mailer: ${mail.xMailer})` };
  const sender = mail.author ?? mail.from;
  if (!sender) return { reply: false, reason: "no sender to reply to" };
  if (isBotAddress(sender, policy.outbox) || isBotAddress(mail.from, policy.outbox)) {
    return { reply: false, reason: `sent by a bot (${isBotAddress(sender, policy.outbox) ? sender.address : mail.from!.address})` };
  }
  if (policy.outbox.optOut.some((a) => same(a, sender.address))) return { reply: false, reason: `the author (${sender.address}) opted out` };
  return { reply: true };
}

/**
 * Reply-all: To the author (the in-body From, or the real one behind a
 * relay), Cc the sender when someone else sent the patch, and everyone the
 * patch went to; never the bot, other bots and automated senders, a relay's
 * From, a muted list, someone who opted out, or anyone twice.
 */
export function recipients(mail: Mail, policy: ReplyPolicy): { to: Address[]; cc: Address[] } {
  const excluded = [policy.bot.address, ...policy.outbox.optOut, ...policy.mutedListAddresses];
  if (mail.viaRelay && mail.from) excluded.push(mail.from.address);
  const taken: string[] = [];
  const keep = (a: Address) => {
    if (!a.address.includes("@") || excluded.some((x) => same(x, a.address)) || taken.some((x) => same(x, a.address))) return false;
    if (isBotAddress(a, policy.outbox)) return false;
    taken.push(a.address);
    return true;
  };
  const author = mail.author ?? mail.from;
  const to = author && keep(author) ? [author] : [];
  // The sender of a patch written by someone else (an in-body From) is Cc'd; a relay's From never is.
  const sender = mail.from && !mail.viaRelay ? [mail.from] : [];
  const cc = [...sender, ...mail.to, ...mail.cc].filter(keep);
  return { to, cc };
}

/** The policy for a reply owed on `list`: other followed lists that are still dry-run are left out of Cc. */
export function replyPolicyFor(config: { bot: ReplyPolicy["bot"]; outbox: ReplyPolicy["outbox"]; lists: readonly { name: string; address?: string; replyMode: string }[] }, list?: string): ReplyPolicy {
  return {
    bot: config.bot,
    outbox: config.outbox,
    mutedListAddresses: config.lists.filter((l) => l.name !== list && l.replyMode === "dry-run" && l.address).map((l) => l.address!),
  };
}
