// Composes the reply a GUP reviewer would send, as plain data and as an RFC
// 5322 message: threaded (In-Reply-To, References), reply-all, trimmed
// interleaved quotes, one comment per finding with the case it rests on,
// wrapped at 72 columns, an introduction and signature of six lines at most,
// and the tag block the kernel test robot offers for a fix that comes as a
// separate commit. Prose speaks of the problem, never of rule ids. Pure: the
// same findings always give the same reply, Message-ID included.
import { createHash } from "node:crypto";
import type { BotConfig, ReplyConfig } from "../config/schema.js";
import type { FileDiff } from "../diff/parse-patch.js";
import type { Address, Mail } from "../mail/types.js";
import type { Finding } from "../review/types.js";
import { patchFiles } from "../review/review-mail.js";
import { gupHunksUnchanged } from "../review/gup-digest.js";
import { carriedOver, loreLink, type PriorFinding, type PriorReview } from "../review/lineage.js";
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
  /** This patch's GUP/pin hunks digest (src/review/gup-digest.ts): equal to the prior's, nothing changed there. */
  gupDigest?: string;
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

/**
 * Two lines at 72 columns: who writes, that it can be wrong. With the
 * greeting and the two-line signature, the boilerplate stays within six
 * lines however long the comments are.
 */
function introduction(bot: string, freshCount: number): string {
  if (freshCount === 0) return `${bot}, a bot that reviews get_user_pages()/pin_user_pages() use, has nothing new on this version; what it said before still applies.`;
  return `${bot} is a bot that reviews only get_user_pages()/pin_user_pages() use. It can be wrong: a short reply saying why helps.`;
}

/** The signature under "-- ": what it is, that it never gives a trailer, where a human is, how to opt out. */
function signature(options: ComposeOptions): string[] {
  return [
    `${options.bot.name} ${options.version} (rules ${options.rulesetVersion}), automated; never a Reviewed-by.`,
    `A human: ${options.bot.contact}. ${options.bot.optOut}`,
  ].flatMap((line) => wrapText(line, options.reply.wrapColumn).split("\n"));
}

/**
 * The kernel test robot's offer, in our words: trailers for a fix that lands
 * as its own commit. The "| " keeps b4 and patchwork from collecting them
 * from this reply as trailers of the patch itself.
 */
function tagBlock(options: ComposeOptions, replyId: string, width: number): string[] {
  return [
    ...wrapText("If the fix goes in as a separate commit rather than a new version of this patch, these tags credit the report:", width).split("\n"),
    `| Reported-by: ${options.bot.name} <${options.bot.address}>`,
    `| Closes: ${loreLink(replyId)}`,
  ];
}

/** The problem in one sentence: the start of the finding's message, for lines that point at a comment made before. */
function problem(message: string): string {
  const flat = message.replace(/\s+/g, " ").trim();
  const end = flat.search(/[.;:](\s|$)/);
  const sentence = end > 0 ? flat.slice(0, end) : flat;
  return sentence.length > 160 ? `${sentence.slice(0, 157).replace(/\s+\S*$/, "")}...` : sentence;
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
  if (first?.firstReplyUrl) {
    // Only a comment that reached the author is pointed at; short, but still citing the document it rests on.
    return `${wrapText(`Still present since v${first.firstReplyVersion ?? first.firstVersion}, where this was said in full: ${problem(f.message)}.`, width)}\n${first.firstReplyUrl}\n${f.citation.url}`;
  }
  if (repeated) return wrapText(`The same applies here: ${problem(f.message)}.`, width);
  return `${wrapText(f.message, width)}\n\n${wrapText(`See ${f.citation.title}:`, width)}\n${f.citation.url}`;
}

export function composeReply(mail: Mail, findings: Finding[], options: ComposeOptions): ComposedReply | null {
  const { fresh: neverSeen, carried: carriedAll } = carriedOver(
    findings.filter((f) => (options.reply.mailSeverities as string[]).includes(f.severity)),
    options.prior,
  );
  // A finding whose earlier reply a moderator rejected is not raised again.
  const kept = carriedAll.filter((c) => !c.first.rejectedByModerator);
  // A finding is said in full until a reply saying it was mailed; after that, one line points to it.
  const carried = kept.filter((c) => c.first.firstReplyUrl);
  const fresh = [...neverSeen, ...kept.filter((c) => !c.first.firstReplyUrl).map((c) => c.finding)];
  const mailable = [...fresh, ...carried.map((c) => c.finding)];
  if (mailable.length === 0) return null;
  // A RESEND, or the same revision posted again, with nothing new: it was said already.
  if (neverSeen.length === 0 && options.prior && options.prior.version >= mail.tags.version) return null;
  // A new version that leaves the GUP/pin hunks as they were (whitespace and wrapping aside): nothing to say again.
  if (neverSeen.length === 0 && gupHunksUnchanged(options.gupDigest, options.prior)) return null;
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
  const messageId = replyMessageId(mail.messageId, options.rulesetVersion, options.bot.messageIdDomain);
  const out: string[] = [];
  out.push(name ? `Hi ${name},` : "Hello,", "");
  out.push(wrapText(introduction(options.bot.name, fresh.length), width), "", attribution(mail));
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
  if (fresh.length > 0) out.push(...tagBlock(options, messageId, width), "");
  out.push("-- ", ...signature(options));
  const { to, cc } = recipients(mail, options.policy);
  const subject = /^re:/i.test(mail.subject) ? mail.subject : `Re: ${mail.subject}`;
  const references = [...mail.references.filter((r) => r !== mail.messageId), mail.messageId];
  return {
    messageId,
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
