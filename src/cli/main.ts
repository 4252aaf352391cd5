#!/usr/bin/env node
// The pinwatch command line: the only place that reads argv and the
// environment and decides the exit status.
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load-config.js";
import { PinwatchError } from "../errors.js";
import { subsystemLogger } from "../log.js";
import { VERSION } from "./version.js";

const USAGE = `pinwatch ${VERSION}: reviews kernel patches for get_user_pages()/pin_user_pages() misuse

Usage:
  pinwatch review [--json] [--reply-dir DIR] [--config FILE] <path>...
      Review mail from files: .eml, mbox (mboxrd/mboxo, gzip ok), maildir,
      a directory of those, or "-" for stdin.
      --json           print one JSON document {"reviews":[...]} on stdout
      --reply-dir DIR  write the reply for each message with mailable findings
  pinwatch run [--config FILE]
      The daemon (npm start): poll every enabled list now and then on its
      schedule, review, and write replies to the dry-run outbox (var/outbox).
      The default config follows the bundled demo archive.
  pinwatch poll [--once] [--list NAME] [--config FILE]
      Poll the lists (or one) once with --once, else on their schedules.
  pinwatch backfill --list NAME --since DATE [--config FILE]
      Read a list from DATE (YYYY-MM-DD) on; what is stored already is skipped.
  pinwatch outbox list [--state STATE] [--list NAME] [--config FILE]
  pinwatch outbox show|approve|reject|retry ID [--config FILE]
  pinwatch outbox retry --all [--config FILE]
  pinwatch outbox send [--config FILE]
      The replies owed and their states (pending, sending, sent, failed,
      held, rejected). approve sends a held reply (moderated lists); reject
      drops a held, pending or failed one; retry sends a failed one again
      (--all: every failed one, and lifts a sending pause); send delivers
      what is due now. ID is the outbox number or Message-ID.
  pinwatch serve [--config FILE]
      The dashboard alone (npm start serves it too): overview, series, rules,
      outbox and moderation queue, JSON under /api.
  pinwatch digest [--since 7d] [--to ADDR] [--list NAME] [--maintainer ADDR] [--config FILE]
      Print the digest of findings since then (12h, 1d, 2w or a date); with
      --to, send it through the outbox (digest.mode).
  pinwatch --help | --version

Exit status: 0 everything was read; 1 some input could not be read or
parsed (the rest were still reviewed), or the database failed; 2 bad usage;
3 (poll, backfill) a list could not be polled (its summary line says why).
Logs go to stderr (PINWATCH_LOG_LEVEL=debug|info|warn|error).
`;

async function main(argv: string[]): Promise<number> {
  const out = (text: string) => process.stdout.write(text);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
        json: { type: "boolean" },
        "reply-dir": { type: "string" },
        config: { type: "string", short: "c" },
        once: { type: "boolean" },
        list: { type: "string" },
        since: { type: "string" },
        state: { type: "string" },
        to: { type: "string" },
        maintainer: { type: "string" },
        all: { type: "boolean" },
      },
    });
  } catch (err) {
    process.stderr.write(`pinwatch: PW_E_USAGE ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    out(`${VERSION}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  const config = loadConfig(values.config);
  switch (command) {
    case "review":
      if (rest.length === 0) {
        process.stderr.write(`pinwatch: PW_E_USAGE review needs at least one path (or - for stdin)\n\n${USAGE}`);
        return 2;
      }
      // Each command loads only what it needs: startup time counts on every poll.
      const { runReviewCommand } = await import("./review-command.js");
      return runReviewCommand({ paths: rest, json: !!values.json, replyDir: values["reply-dir"], config, log: subsystemLogger("review"), out });
    case "run": {
      const { runDaemon } = await import("./run-command.js");
      return runDaemon(config, subsystemLogger("run"), out);
    }
    case "poll": {
      if (values.once) {
        const { runPollOnce } = await import("./poll-command.js");
        return runPollOnce(config, subsystemLogger("poll"), out, { list: values.list });
      }
      const { runDaemon } = await import("./run-command.js");
      return runDaemon(config, subsystemLogger("poll"), out, values.list);
    }
    case "backfill": {
      const since = values.since ? new Date(values.since) : undefined;
      if (!values.list || !since || Number.isNaN(since.getTime())) {
        process.stderr.write(`pinwatch: PW_E_USAGE backfill needs --list NAME and --since DATE (YYYY-MM-DD)\n\n${USAGE}`);
        return 2;
      }
      const { runPollOnce } = await import("./poll-command.js");
      return runPollOnce(config, subsystemLogger("backfill"), out, { list: values.list, since });
    }
    case "serve": {
      const { runServe } = await import("./serve-command.js");
      return runServe(config, subsystemLogger("web"), out);
    }
    case "digest": {
      const { runDigestCommand } = await import("./digest-command.js");
      return runDigestCommand({ since: values.since, to: values.to, list: values.list, maintainer: values.maintainer, config, log: subsystemLogger("digest"), out });
    }
    case "outbox": {
      const { runOutboxCommand } = await import("./outbox-command.js");
      return runOutboxCommand({ action: rest[0], args: rest.slice(1), state: values.state, list: values.list, all: values.all, config, log: subsystemLogger("outbox"), out });
    }
    default:
      process.stderr.write(`pinwatch: PW_E_USAGE unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

/** A database that failed under pinwatch must not be closed on the way out (see databaseAbandoned): exit at once. */
async function finish(code: number): Promise<void> {
  process.exitCode = code;
  const { databaseAbandoned } = await import("../store/storage-guard.js");
  if (databaseAbandoned()) process.exit(code);
}

main(process.argv.slice(2)).then(
  (code) => finish(code),
  (err: unknown) => {
    if (err instanceof PinwatchError) {
      process.stderr.write(`pinwatch: ${err.code} ${err.message}\n`);
      return finish(err.code === "PW_E_USAGE" ? 2 : 1);
    }
    process.stderr.write(`pinwatch: unexpected failure: ${(err as Error)?.stack ?? err}\n`);
    return finish(1);
  },
);
