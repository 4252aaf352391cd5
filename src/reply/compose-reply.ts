// Composes the reply a GUP reviewer would send, as plain data and as an RFC
// 5322 message: threaded (In-Reply-To, References), reply-all, trimmed
// interleaved quotes, one comment per finding with the case it rests on,
// wrapped at 72 columns, an honest automated-review footer. Pure: the same
// findings always give the same reply, Message-ID included.
import { createHash } from "node:crypto";
import type { BotConfig, ReplyConfig } from "../config/schema.js";
import type { FileDiff } from "../diff/parse-patch.js";
import type { Address, Mail } from "../mail/types.js";
import type { Finding } from "../review/types.js";
import { patchFiles } from "../review/review-mail.js";
import { carriedOver, type PriorFinding, type PriorReview } from "../review/lineage.js";
import { recipients, type ReplyPolicy } from "./reply-policy.js";
import { quotePositions, renderQuote, type QuotePosition } from "./quote-hunks.js";
import { wrapText } from "./wrap-text.js";

export interface ComposedReply {
  messageId: string;
  inReplyTo: string;
  references: string[];
  from: Address;
  to: Address[];
  cc: Address[];
  subject: string;
  date: Date;
  /** Reviewed Message-ID + rule-set version: a reply is owed once per key. */
  idempotencyKey: string;
  body: string;
  findings: Finding[];
}

export interface ComposeOptions {
  bot: BotConfig;
  reply: ReplyConfig;
  rulesetVersion: string;
  version: string;
  now: Date;
  /** Who may be mailed: the bot, opt-outs and muted lists are left out. */
  policy: ReplyPolicy;
  /** The review of this patch's earlier version, when there is one. */
  prior?: PriorReview;
}

export function replyMessageId(reviewedId: string, rulesetVersion: string, domain: string): string {
  const hash = createHash("sha1").update(`${reviewedId}\0${rulesetVersion}`).digest("hex").slice(0, 24);
  return `pinwatch-${hash}@${domain}`;
}

function firstName(from: Address | undefined): string {
  const name = (from?.name ?? "").replace(/["']/g, "").trim();
  if (!name) return "";
  // "Shutemov, Kirill" -> Kirill; "Kirill A. Shutemov" -> Kirill
  if (name.includes(",")) return name.split(",")[1]!.trim().split(/\s+/)[0] ?? "";
  return name.split(/\s+/)[0] ?? "";
}

function attribution(mail: Mail): string {
  const author = mail.author ?? mail.from;
  const who = author?.name || author?.address || "the author";
  if (!mail.date) return `${who} wrote:`;
  const d = mail.date.toUTCString().replace(/:\d\d GMT$/, " UTC").replace(/^(\w+), 0?(\d+) (\w+) (\d+)/, "$1, $3 $2, $4 at");
  return `On ${d}, ${who} wrote:`;
}

function introduction(bot: string, freshCount: number, carried: PriorFinding[]): string {
  const about = `This is ${bot}, an automated reviewer that looks only at how patches use the get_user_pages()/pin_user_pages() API.`;
  const basis = `Comments are based on Documentation/core-api/pin_user_pages.rst or another kernel document linked below. It can be wrong: if a comment does not apply, a short reply saying why helps.`;
  const since = Math.min(...carried.map((c) => c.firstVersion));
  const still = carried.length === 1 ? `one comment from v${since} still applies` : `${carried.length} comments from v${since} on still apply`;
  if (freshCount === 0) return `${about} It has nothing new on this version, but ${still}; it is only pointed at below, not repeated.`;
  const count = freshCount === 1 ? "one comment" : `${freshCount} comments`;
  return `${about} It has ${count} on this patch${carried.length ? `, and ${still}` : ""}. ${basis}`;
}

interface Block {
  file: FileDiff;
  positions: QuotePosition[];
  findings: Finding[];
}

function isSubset(a: QuotePosition[], b: QuotePosition[]): boolean {
  return a.every((p) => b.some((q) => q.hunk === p.hunk && q.index === p.index));
}

function commentText(f: Finding, width: number, repeated: boolean, first?: PriorFinding): string {
  if (first) {
    const where = first.firstReplyUrl ? ` (${first.firstReplyUrl})` : "";
    // Short, but still citing the document the comment rests on.
    return `${wrapText(`Still present since v${first.firstVersion}: the ${f.rule} comment on that version${where} applies here unchanged.`, width)}\n${f.citation.url}`;
  }
  if (repeated) return wrapText(`The ${f.rule} comment above applies here too.`, width);
  return `${wrapText(f.message, width)}\n\n${wrapText(`See ${f.citation.title}:`, width)}\n${f.citation.url}`;
}

export function composeReply(mail: Mail, findings: Finding[], options: ComposeOptions): ComposedReply | null {
  const { fresh, carried: carriedAll } = carriedOver(
    findings.filter((f) => (options.reply.mailSeverities as string[]).includes(f.severity)),
    options.prior,
  );
  // A finding whose earlier reply a moderator rejected is not raised again.
  const carried = carriedAll.filter((c) => !c.first.rejectedByModerator);
  const mailable = [...fresh, ...carried.map((c) => c.finding)];
  if (mailable.length === 0) return null;
  // A RESEND, or the same revision posted again, with nothing new: it was said already.
  if (fresh.length === 0 && options.prior && options.prior.version >= mail.tags.version) return null;
  const firstReport = new Map(carried.map((c) => [c.finding, c.first]));
  const files = new Map(patchFiles(mail).map((f) => [f.path, f]));
  const width = options.reply.wrapColumn;

  const blocks: Block[] = [];
  for (const f of mailable) {
    const file = files.get(f.file);
    if (!file) continue;
    const positions = quotePositions(file, f.anchor, f.related, options.reply.maxQuotedLines);
    const home = blocks.find((b) => b.file === file && isSubset(positions, b.positions));
    if (home) home.findings.push(f);
    else blocks.push({ file, positions, findings: [f] });
  }
  blocks.sort((a, b) => a.file.path.localeCompare(b.file.path) || (a.positions[0]?.hunk ?? 0) - (b.positions[0]?.hunk ?? 0) || (a.positions[0]?.index ?? 0) - (b.positions[0]?.index ?? 0));

  const name = firstName(mail.author ?? mail.from);
  const out: string[] = [];
  out.push(name ? `Hi ${name},` : "Hello,", "");
  out.push(wrapText(introduction(options.bot.name, fresh.length, carried.map((c) => c.first)), width), "", attribution(mail));
  let lastFile: FileDiff | undefined;
  const said = new Set<string>();
  for (const block of blocks) {
    if (block.file !== lastFile) {
      out.push(`> diff --git a/${block.file.oldPath ?? block.file.path} b/${block.file.path}`);
      lastFile = block.file;
    }
    out.push(...renderQuote(block.file, block.positions), "");
    for (const f of block.findings) {
      const repeated = said.has(`${f.rule}\0${f.message}`);
      said.add(`${f.rule}\0${f.message}`);
      out.push(commentText(f, width, repeated, firstReport.get(f)), "");
    }
  }
  out.push("[...]", "");
  out.push("-- ");
  out.push(
    ...wrapText(
      `${options.bot.name} ${options.version} (rules ${options.rulesetVersion}): an automated review of ` +
        `GUP/pin usage. It never gives Reviewed-by or Acked-by. A human can be reached at ` +
        `${options.bot.contact}. ${options.bot.optOut}`,
      width,
    ).split("\n"),
  );
  const { to, cc } = recipients(mail, options.policy);
  const subject = /^re:/i.test(mail.subject) ? mail.subject : `Re: ${mail.subject}`;
  const references = [...mail.references.filter((r) => r !== mail.messageId), mail.messageId];
  return {
    messageId: replyMessageId(mail.messageId, options.rulesetVersion, options.bot.messageIdDomain),
    inReplyTo: mail.messageId,
    references,
    from: { name: options.bot.name, address: options.bot.address },
    to,
    cc,
    subject,
    date: options.now,
    idempotencyKey: `${mail.messageId}\0${options.rulesetVersion}`,
    body: out.join("\n") + "\n",
    findings: mailable,
  };
}
