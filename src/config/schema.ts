// The configuration schema: the one place that says which options exist,
// their types and their defaults. config/default.yaml documents each of them.
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
  /** How an author opts out; printed in every reply. */
  optOut: z
    .string()
    .default("Reply to the contact address above to stop pinwatch reviewing your patches or a list."),
});

export const reviewSchema = z.object({
  /** Path prefixes never reviewed: the GUP implementation itself, docs, tools. */
  excludePaths: z
    .array(z.string())
    .default([
      "mm/gup.c",
      "mm/gup_test.c",
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

export const runSchema = z.object({
  /** Inputs the `run` job reviews: mbox, maildir or .eml paths (the bundled demo by default). */
  inputs: z.array(z.string()).default(["demo/lore-demo.mbox"]),
  /** Dry-run outbox: a maildir that composed replies are written into instead of being sent. */
  outboxDir: z.string().default("var/outbox"),
});

export const configSchema = z.object({
  bot: botSchema.default(botSchema.parse({})),
  review: reviewSchema.default(reviewSchema.parse({})),
  reply: replySchema.default(replySchema.parse({})),
  run: runSchema.default(runSchema.parse({})),
});

export type Config = z.infer<typeof configSchema>;
export type BotConfig = z.infer<typeof botSchema>;
export type ReplyConfig = z.infer<typeof replySchema>;
