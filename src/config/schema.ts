// The configuration schema: the one place that says which options exist,
// their types and their defaults. config/default.yaml documents each of them.
import cron from "node-cron";
import { z } from "zod";

export const botSchema = z.object({
  /** Display name in From: and in the reply's self-introduction. */
  name: z.string().min(1).default("pinwatch"),
  /** The address replies are sent from; never a person's. */
  address: z.string().min(3).default("pinwatch@localhost"),
  /** Where a human can be reached about the bot's replies. */
  contact: z.string().min(3).default("pinwatch-admins@localhost"),
  /** Domain used to build the bot's own Message-IDs. */
  messageIdDomain: z.string().min(1).default("pinwatch.localhost"),
  /** How an author opts out; printed in every reply's signature, after the contact address (keep it short: the signature is two lines). */
  optOut: z.string().default("Write there to opt out."),
});

export const reviewSchema = z.object({
  /** Paths never reviewed (prefixes ending in /, exact paths, or globs): the GUP implementation itself, docs, tools, unit tests. */
  excludePaths: z
    .array(z.string())
    .default([
      "mm/gup.c",
      "mm/gup_test.c",
      "mm/gup_benchmark.c",
      "mm/internal.h",
      "mm/memory.c",
      "mm/madvise.c",
      "mm/hugetlb.c",
      "mm/huge_memory.c",
      "mm/migrate.c",
      "mm/rmap.c",
      "mm/util.c",
      "mm/swap.c",
      "mm/page_alloc.c",
      "mm/mlock.c",
      "mm/process_vm_access.c",
      "include/linux/mm.h",
      "include/linux/mm_types.h",
      "include/linux/mm_inline.h",
      "Documentation/",
      "tools/",
      "scripts/",
      "**/kunit_*.c",
      "**/*_kunit.c",
      "**/*-kunit.c",
    ]),
  /** Rule ids switched off entirely. */
  disabledRules: z.array(z.string()).default([]),
});

export const replySchema = z.object({
  /** Column at which prose is wrapped; quoted diff lines are never wrapped. */
  wrapColumn: z.number().int().min(40).max(200).default(72),
  /** Most quoted hunk lines shown above one comment. */
  maxQuotedLines: z.number().int().min(1).max(40).default(8),
  /** Severities that may go out by mail; info stays on the dashboard. */
  mailSeverities: z.array(z.enum(["error", "warning"])).default(["error", "warning"]),
});

/** A URL pointing inside an inbox (an epoch, the manifest, a feed, a message) rather than at it. */
const INSIDE_INBOX = /\/(?:git\/\d+(?:\.git)?|\d+(?:\.git)?|manifest\.js\.gz|new\.atom|atom\.xml|[^/]+\/(?:raw|T|t|t\.mbox\.gz))\/?$/;

/**
 * A public-inbox inbox's address as lore writes it (https://lore.kernel.org/linux-mm):
 * http(s), no query, no login, not an epoch or a page inside it: pinwatch finds the
 * epochs, the manifest and the feed itself. With `local`, a path (an inbox directory, a
 * bare repository, a bundle) is taken too, but not one epoch of an inbox (…/git/0.git).
 */
function inboxUrl(local: boolean) {
  return z.string().min(1).superRefine((value, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: "custom", message });
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value)?.[1]?.toLowerCase();
    if (scheme === undefined) {
      if (!local) return issue("an http(s) URL such as https://lore.kernel.org/linux-mm");
      if (/(^|\/)git\/\d+\.git\/?$/.test(value)) issue("one epoch of an inbox: give the inbox directory (the one holding git/0.git, git/1.git ...)");
      return;
    }
    if (scheme !== "http" && scheme !== "https") return issue(`${scheme}:// is not read: give an http(s) URL such as https://lore.kernel.org/linux-mm${local ? ", or a local path" : ""}`);
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return issue("not a valid URL");
    }
    if (url.username || url.password) issue("no login in the URL");
    if (url.search || url.hash) issue("no query or fragment: the inbox's own address");
    if (INSIDE_INBOX.test(url.pathname)) issue(`an epoch or a page inside an inbox (${url.pathname}): give the inbox itself, such as https://lore.kernel.org/linux-mm`);
    else if (url.pathname.replace(/\/+$/, "") === "") issue("the inbox's name is missing: https://lore.kernel.org/<list>");
  });
}

/** An NNTP server's host name or address, without a scheme or port. */
function nntpHost() {
  return z
    .string()
    .regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:]+)$/, "a host name such as nntp.lore.kernel.org (no nntp://; the port and tls are settings of their own)");
}

/** Where a list's mail comes from. */
export const sourceSchema = z.discriminatedUnion("type", [
  z.object({
    /** public-inbox git epochs over smart HTTP(S): <url>/0, <url>/1, ... (or a local inbox directory, git dir or bundle). */
    type: z.literal("git"),
    url: inboxUrl(true),
  }),
  z.object({
    /** An NNTP server such as nntp.lore.kernel.org. */
    type: z.literal("nntp"),
    host: nntpHost(),
    port: z.number().int().min(1).max(65535).default(119),
    tls: z.boolean().default(false),
    group: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.+_-]*$/, "a newsgroup name such as org.kvack.linux-mm"),
  }),
  z.object({
    /** HTTP fallback: <url>/new.atom for what is new, <url>/<msgid>/raw for each message. */
    type: z.literal("atom"),
    url: inboxUrl(false),
  }),
  z.object({
    /** A local mbox, maildir or directory of .eml files (the embedded demo default). */
    type: z.literal("mailbox"),
    path: z.string().min(1),
  }),
]);

export const listSchema = z.object({
  /** The list's short name, as in lore's URLs: linux-mm, io-uring. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, dot, dash and underscore only"),
  source: sourceSchema,
  /** node-cron expression (5 or 6 fields); runs of one list never overlap. */
  schedule: z.string().refine((s) => cron.validate(s), "not a valid cron expression").default("*/10 * * * *"),
  /** Where the first poll starts: "beginning" (everything) or a date (YYYY-MM-DD). */
  startFrom: z
    .string()
    .refine((s) => s === "beginning" || !Number.isNaN(Date.parse(s)), 'either "beginning" or a date')
    .default("beginning"),
  enabled: z.boolean().default(true),
  /** The list's posting address (linux-mm@kvack.org): lets replies leave out lists that have not opted in. */
  address: z.string().min(3).optional(),
  /**
   * How replies to this list's patches go out, the list's opt-in:
   * dry-run (written to the outbox maildir, mailed to no one), moderated
   * (held until a person approves each one), live (sent by SMTP).
   */
  replyMode: z.enum(["dry-run", "moderated", "live"]).default("dry-run"),
});

export const pollerSchema = z.object({
  /** The embedded SQLite database (cursors, messages, reviews, findings, outbox). */
  database: z.string().default("var/pinwatch.sqlite"),
  /** Where git epochs are mirrored. */
  mirrorDir: z.string().default("var/mirrors"),
  /** Seconds before one network request (or git transfer without progress) is abandoned. */
  requestTimeoutSeconds: z.number().positive().default(60),
  /** Retries of a failed fetch before the poll gives up until its next run. */
  maxRetries: z.number().int().min(0).max(20).default(5),
  /** Exponential backoff with full jitter: first delay and ceiling, in milliseconds. */
  backoffBaseMs: z.number().int().min(0).default(2000),
  backoffMaxMs: z.number().int().min(0).default(300000),
  /** Requests in flight at once to one host. */
  maxInFlightPerHost: z.number().int().min(1).max(16).default(1),
  /** A series patch waits for its siblings this long (by its Date) before it is reviewed alone. */
  seriesWaitHours: z.number().min(0).default(24),
  /** Review in a worker thread while reading goes on (false: on the main thread). */
  reviewInWorker: z.boolean().default(true),
  /** Messages per store transaction (the cursor moves with each one). */
  commitEvery: z.number().int().min(1).max(10000).default(500),
  /** /healthz reports a list whose last successful poll is older than this as stale. */
  maxLagMinutes: z.number().positive().default(60),
});

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, "i");
    return true;
  } catch {
    return false;
  }
}

export const smtpSchema = z.object({
  host: z.string().min(1).default("localhost"),
  port: z.number().int().min(1).max(65535).default(587),
  /** tls: TLS from the first byte (port 465); starttls: upgrade required; none: loopback relays only. */
  security: z.enum(["tls", "starttls", "none"]).default("starttls"),
  /** Seconds to connect, to greet and per command before the attempt counts as failed (and is retried). */
  timeoutSeconds: z.number().positive().default(60),
  /** Environment variables holding the login; neither is ever logged. Unset: no AUTH. */
  userEnv: z.string().default("PINWATCH_SMTP_USER"),
  passwordEnv: z.string().default("PINWATCH_SMTP_PASSWORD"),
});

export const outboxSchema = z.object({
  /** Dry-run outbox: a maildir that composed replies are written into instead of being sent. */
  dir: z.string().default("var/outbox"),
  smtp: smtpSchema.default(smtpSchema.parse({})),
  /** node-cron schedule on which the daemon sends what is owed (retries, approvals). */
  schedule: z.string().refine((s) => cron.validate(s), "not a valid cron expression").default("* * * * *"),
  /** Most mails sent by SMTP in any hour: to one list, and overall. */
  perListPerHour: z.number().int().min(1).default(20),
  overallPerHour: z.number().int().min(1).default(60),
  /** Attempts before a reply that keeps failing temporarily is marked failed. */
  maxAttempts: z.number().int().min(1).max(100).default(8),
  /** Backoff between attempts (full jitter), in seconds. */
  retryBaseSeconds: z.number().min(0).default(60),
  retryMaxSeconds: z.number().min(0).default(3600),
  /** A send claimed this long ago and never recorded was cut off mid-send (crash): it is in doubt. */
  claimTimeoutSeconds: z.number().positive().default(300),
  /**
   * An in-doubt reply waits this long for a followed list to show it; then
   * the archives it went to are asked, and it is re-sent (same Message-ID,
   * so archives and mail clients drop a copy) only if they all answer no.
   */
  inDoubtWaitMinutes: z.number().min(0).default(60),
  /** People (addresses) who asked never to get pinwatch mail: no reply to their patches, never in Cc. */
  optOut: z.array(z.string()).default([]),
  /** Senders (regular expressions, case-insensitive) whose mail is automated: never answered, never Cc'd. */
  botSenders: z
    .array(z.string().refine(isRegExp, "not a valid regular expression"))
    .default(["^lkp@intel\\.com$", "syzbot", "^patchwork-bot", "-bot@kernel\\.org$", "^bot@", "noreply", "no-reply", "^ci@", "mailer-daemon"]),
  /** Display names (regular expressions) of known bots, whatever their address: never answered, never Cc'd. */
  botNames: z
    .array(z.string().refine(isRegExp, "not a valid regular expression"))
    .default(["^kernel test robot$", "^syzbot\\b", "^patchwork-bot\\b", "^pinwatch$"]),
  /** X-Mailer values (regular expressions) of known bots. */
  botMailers: z.array(z.string().refine(isRegExp, "not a valid regular expression")).default(["patchwork", "syzbot", "\\bbot\\b", "sashiko", "kernel test robot"]),
});

export const webSchema = z.object({
  /** Serve the dashboard as part of `pinwatch run` (npm start); `pinwatch serve` serves it alone. */
  enabled: z.boolean().default(true),
  host: z.string().default("127.0.0.1"),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Environment variable with the moderators' login token (approve/reject). Unset: moderation is off. */
  tokenEnv: z.string().default("PINWATCH_DASHBOARD_TOKEN"),
  /** Environment variable with the secret that signs session cookies (default: random per start). */
  secretEnv: z.string().default("PINWATCH_DASHBOARD_SECRET"),
  /** The dashboard's address as readers reach it, for links in digests (default: http://<host>:<port>). */
  publicUrl: z.string().url().optional(),
  /** Login attempts allowed per client address and minute; more are answered 429. */
  loginAttemptsPerMinute: z.number().int().min(1).default(10),
});

export const digestRecipientSchema = z.object({
  /** Where the digest goes: a person or a list. */
  to: z.string().min(3),
  /** Only findings on these lists (default: all). */
  lists: z.array(z.string()).default([]),
  /** Only findings in files this maintainer (address, from MAINTAINERS) looks after. */
  maintainer: z.string().optional(),
});

export const digestSchema = z.object({
  /** node-cron expression: when the daemon sends the digests (default Monday 08:00). */
  schedule: z.string().refine((s) => cron.validate(s), "not a valid cron expression").default("0 8 * * 1"),
  /** dry-run (the outbox maildir), moderated (held for approval) or live (SMTP), like a list's replyMode. */
  mode: z.enum(["dry-run", "moderated", "live"]).default("dry-run"),
  recipients: z.array(digestRecipientSchema).default([]),
  /** A first digest (no earlier one to a recipient) covers this many days. */
  firstPeriodDays: z.number().positive().default(7),
});

export const maintainersSchema = z.object({
  /** A MAINTAINERS file (path, or http(s) URL read at start) for grouping by maintainer. */
  file: z.string().optional(),
});

/** Where `pinwatch review <message-id>` reads a thread from. */
export const loreSchema = z.object({
  /** A public-inbox over HTTP(S): the thread is <url>/<message-id>/t.mbox.gz (b4 reads the same). */
  url: inboxUrl(false).default("https://lore.kernel.org/all"),
  /** Read threads over NNTP instead (nntp.lore.kernel.org): the article, then its neighbours' overview. */
  nntp: z
    .object({
      host: nntpHost(),
      port: z.number().int().min(1).max(65535).default(119),
      tls: z.boolean().default(false),
    })
    .optional(),
});

export const configSchema = z.object({
  bot: botSchema.default(botSchema.parse({})),
  review: reviewSchema.default(reviewSchema.parse({})),
  reply: replySchema.default(replySchema.parse({})),
  poller: pollerSchema.default(pollerSchema.parse({})),
  lists: z
    .array(listSchema)
    .default([listSchema.parse({ name: "demo", source: { type: "mailbox", path: "demo/lore-demo.mbox" } })])
    .refine((lists) => new Set(lists.map((l) => l.name)).size === lists.length, "list names must be unique"),
  outbox: outboxSchema.default(outboxSchema.parse({})),
  web: webSchema.default(webSchema.parse({})),
  digest: digestSchema.default(digestSchema.parse({})),
  maintainers: maintainersSchema.default(maintainersSchema.parse({})),
  lore: loreSchema.default(loreSchema.parse({})),
});

export type Config = z.infer<typeof configSchema>;
export type BotConfig = z.infer<typeof botSchema>;
export type ReplyConfig = z.infer<typeof replySchema>;
export type ListConfig = z.infer<typeof listSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
export type PollerConfig = z.infer<typeof pollerSchema>;
export type OutboxConfig = z.infer<typeof outboxSchema>;
export type WebConfig = z.infer<typeof webSchema>;
export type DigestConfig = z.infer<typeof digestSchema>;
export type ReplyMode = ListConfig["replyMode"];
export type LoreConfig = z.infer<typeof loreSchema>;
