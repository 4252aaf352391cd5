// `pinwatch outbox list|show|approve|reject|retry|send`: the moderation queue
// and the delivery state of every reply, from the command line.
import { userInfo } from "node:os";
import type { Config } from "../config/schema.js";
import { PinwatchError } from "../errors.js";
import type { Logger } from "../log.js";
import { deliverOwed } from "../outbox/deliver.js";
import { projectPath } from "../poller/poller-context.js";
import { SqliteStore } from "../store/sqlite-store.js";
import type { OutboxEntry, OutboxState, Store } from "../store/store.js";
import { visible, visibleJson } from "../visible-text.js";
import { deliverySummary } from "./progress.js";

const STATES: readonly OutboxState[] = ["pending", "sending", "sent", "failed", "held", "rejected"];

export interface OutboxCommandOptions {
  action: string | undefined;
  args: string[];
  state?: string;
  list?: string;
  /** retry --all: every failed reply. */
  all?: boolean;
  /** One JSON document on stdout instead of text. */
  json?: boolean;
  config: Config;
  log: Logger;
  out: (text: string) => void;
}

/** Subjects, addresses and server answers come from mail and servers: shown with their control bytes made visible. */
function line(e: OutboxEntry): string {
  const when = e.sentAt ?? e.createdAt;
  const error = e.lastError ? `  (${e.lastError})` : "";
  return visible(`${String(e.id).padStart(5)}  ${e.state.padEnd(8)} ${e.mode.padEnd(9)} ${e.list.padEnd(14)} ${when.slice(0, 16)}  ${e.subject}${error}`);
}

/** The JSON shape of an entry; the message itself only where it is asked for (show). */
function entryJson(e: OutboxEntry, withRaw: boolean) {
  const { raw, ...rest } = e;
  return withRaw ? { ...rest, raw } : rest;
}

function describe(e: OutboxEntry): string {
  return visible([
    `outbox ${e.id}: ${e.state} (${e.mode})`,
    `reply:       <${e.replyMessageId}>`,
    `in reply to: <${e.inReplyTo}> https://lore.kernel.org/r/${e.inReplyTo}`,
    `list:        ${e.list}`,
    `recipients:  ${e.recipients.join(", ") || "(none)"}`,
    `attempts:    ${e.attempts}${e.nextAttemptAt ? `, next ${e.nextAttemptAt}` : ""}`,
    e.lastError ? `last error:  ${e.lastError}` : "",
    e.sentAt ? `sent:        ${e.sentAt} via ${e.deliveredVia}` : "",
    e.decidedBy ? `decided by:  ${e.decidedBy}` : "",
    "",
    e.raw.replace(/\r\n/g, "\n"),
  ]
    .filter((l) => l !== "")
    .join("\n"), { newlines: true, tabs: true });
}

async function entryArg(store: Store, arg: string | undefined): Promise<OutboxEntry> {
  if (!arg) throw new PinwatchError("PW_E_USAGE", "name a reply: its outbox number or its Message-ID");
  const entry = await store.outboxEntry(/^\d+$/.test(arg) ? Number(arg) : arg);
  if (!entry) throw new PinwatchError("PW_E_OUTBOX", "no such reply in the outbox", { subject: arg });
  return entry;
}

export async function runOutboxCommand(options: OutboxCommandOptions): Promise<number> {
  const { action, args, config } = options;
  const out = options.out;
  const json = (value: unknown) => out(`${visibleJson(value, 1)}\n`);
  if (options.state && !STATES.includes(options.state as OutboxState)) {
    throw new PinwatchError("PW_E_USAGE", `--state must be one of ${STATES.join(", ")}`);
  }
  const store = new SqliteStore(projectPath(config.poller.database));
  try {
    switch (action) {
      case "list": {
        const entries = await store.outboxEntries({ state: options.state as OutboxState | undefined, list: options.list });
        const pause = await store.sendingPause();
        if (options.json) json({ outbox: entries.map((e) => entryJson(e, false)), sendingPause: pause ?? null });
        else {
          if (pause) out(visible(`sending is paused since ${pause.since.slice(0, 16)} (${pause.code}): ${pause.reason}\n  next try ${pause.retryAt.slice(0, 16)}; after fixing the settings, \`pinwatch outbox send\` tries at once\n`, { newlines: true }));
          if (entries.length === 0) out("the outbox is empty\n");
          for (const e of entries) out(`${line(e)}\n`);
        }
        return 0;
      }
      case "show": {
        const entry = await entryArg(store, args[0]);
        if (options.json) json(entryJson(entry, true));
        else out(`${describe(entry)}\n`);
        return 0;
      }
      case "approve":
      case "reject":
      case "retry": {
        if (action === "retry" && options.all) {
          if (args.length > 0) throw new PinwatchError("PW_E_USAGE", "retry takes one reply or --all, not both");
          const due = await store.retryFailed(`cli:${userInfo().username}`, new Date());
          const resumed = await store.resumeSending();
          if (options.json) json({ retried: due, pauseLifted: resumed });
          else out(`${due} failed ${due === 1 ? "reply is" : "replies are"} due again${resumed ? "; the sending pause is lifted" : ""}\n`);
          return 0;
        }
        if (action === "retry" && !args[0]) throw new PinwatchError("PW_E_USAGE", "name a reply (its outbox number or its Message-ID), or --all for every failed one");
        const entry = await entryArg(store, args[0]);
        const decided = await store.decideOutbox(entry.id, action, `cli:${userInfo().username}`, new Date());
        if (options.json) json(entryJson(decided, false));
        else out(`${line(decided)}\n`);
        return 0;
      }
      case "send": {
        const stats = await deliverOwed({ store, config, outboxDir: projectPath(config.outbox.dir), log: options.log, probeNow: true });
        if (options.json) json({ delivery: stats, outboxDir: projectPath(config.outbox.dir) });
        else out(`${deliverySummary(stats, projectPath(config.outbox.dir))}\n`);
        return stats.failed > 0 || stats.paused ? 1 : 0;
      }
      default:
        throw new PinwatchError("PW_E_USAGE", `outbox needs one of list, show, approve, reject, retry, send${action ? ` (not "${action}")` : ""}`);
    }
  } finally {
    await store.close();
  }
}
