// `pinwatch digest --since 1d [--to ADDR] [--list NAME] [--maintainer ADDR]`:
// prints the digest, or with --to records it in the outbox and delivers it
// by digest.mode (dry-run, moderated or live).
import type { Config } from "../config/schema.js";
import { PinwatchError } from "../errors.js";
import type { Logger } from "../log.js";
import { digestFor, enqueueDigest, parseSince } from "../digest/digest-run.js";
import { loadMaintainers } from "../maintainers/load-maintainers.js";
import { deliverOwed } from "../outbox/deliver.js";
import { projectPath } from "../poller/poller-context.js";
import { userAgent } from "../sources/polite.js";
import { SqliteStore } from "../store/sqlite-store.js";
import { visible, visibleJson } from "../visible-text.js";
import { deliverySummary } from "./progress.js";
import { VERSION } from "./version.js";

export interface DigestCommandOptions {
  since?: string;
  to?: string;
  list?: string;
  maintainer?: string;
  /** One JSON document on stdout instead of text. */
  json?: boolean;
  config: Config;
  log: Logger;
  out: (text: string) => void;
  now?: Date;
}

export async function runDigestCommand(options: DigestCommandOptions): Promise<number> {
  const now = options.now ?? new Date();
  const since = parseSince(options.since ?? "7d", now);
  if (!since) throw new PinwatchError("PW_E_USAGE", `--since takes 12h, 1d, 2w or a date, not "${options.since}"`);
  const { config } = options;
  const store = new SqliteStore(projectPath(config.poller.database));
  try {
    const maintainers = await loadMaintainers(config.maintainers.file, userAgent(VERSION, config.bot.contact));
    const digest = await digestFor(store, config, maintainers, { lists: options.list ? [options.list] : [], maintainer: options.maintainer }, since, now);
    const period = { since: since.toISOString(), until: now.toISOString() };
    if (!options.to) {
      if (options.json) options.out(`${visibleJson({ ...period, subject: digest.subject, findings: digest.findings, text: digest.text }, 1)}\n`);
      else options.out(visible(`Subject: ${digest.subject}\n\n${digest.text}`, { newlines: true, tabs: true }));
      return 0;
    }
    const queued = await enqueueDigest(store, config, options.to, digest, since, now, now);
    const stats = await deliverOwed({ store, config, outboxDir: projectPath(config.outbox.dir), log: options.log });
    if (options.json) options.out(`${visibleJson({ ...period, to: options.to, mode: config.digest.mode, recorded: queued, findings: digest.findings, delivery: stats }, 1)}\n`);
    else options.out(`${queued ? "digest recorded" : "this digest was recorded before"} for ${options.to} (${config.digest.mode}); ${deliverySummary(stats, projectPath(config.outbox.dir))}\n`);
    return stats.failed > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}
