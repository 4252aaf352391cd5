#!/usr/bin/env node
// The pinwatch command line: the only place that reads argv and the
// environment and decides the exit status. Parsing, help per command
// (`pinwatch help review`, `review --help`) and rejecting unknown options
// with the command's usage are commander's; each command's work lives in
// its own *-command.ts, loaded only when it runs (startup time counts on
// every poll).
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import module from "node:module";
import { loadConfig } from "../config/load-config.js";
import type { Config } from "../config/schema.js";
import { PinwatchError } from "../errors.js";
import { subsystemLogger } from "../log.js";
import { visible } from "../visible-text.js";
import { VERSION } from "./version.js";

// Node 22.1 and later keep the code they compiled on disk between runs, so
// the commands loaded from here on (and the review worker) start faster on
// every poll; Node 20 has no such cache and skips this.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const out = (text: string) => void process.stdout.write(text);
const err = (text: string) => void process.stderr.write(text);

/** Exit statuses every command shares; 3 is each command's own (see REVIEW_EXIT and POLL_EXIT). */
const EXIT_HELP = `
Exit status: 0 done (findings or not); 1 some input or message could not be
read, a reply could not be sent, or the database failed (the rest was still
done); 2 bad usage; 3 review --fail-on: a finding at or above that severity,
or poll --once and backfill: a list could not be polled.
Logs go to stderr as JSON lines (pretty on a terminal); PINWATCH_LOG_LEVEL
sets the level (debug, info, warn, error, silent).`;

const REVIEW_EXIT = `
Exit status: 0 done (findings or not); 1 some input could not be read (the
rest was still reviewed); 2 bad usage; 3 --fail-on: a finding at or above
that severity (1 takes precedence).`;

const POLL_EXIT = `
One summary line per list; a list that could not be polled gets
"<list>: poll FAILED (<code>) ..." and the other lists are still polled.
Exit status: 0 done; 1 a message could not be read (the rest was stored),
or the database failed (the process stops at once); 2 bad usage; 3 a list
could not be polled.`;

const REVIEW_HELP = `
Inputs: a .eml, an mbox (mboxrd/mboxo, gzip ok), a maildir, a directory of
those, "-" for stdin, a Message-ID, or a lore URL. A Message-ID or URL is
fetched as a thread from the configured lore (lore.url, <msgid>/t.mbox.gz,
or lore.nntp) and its newest revision is reviewed as b4 picks it.

Text output, in input order:
  <source>: <subject> <message-id>
  path/to/file.c:LINE: error|warning|info: message [rule-id]
  ...
  N patches reviewed, E errors, W warnings, S skipped
Patches without findings are collapsed into one line; replies, cover
letters and other mail are only counted as skipped. Unreadable inputs are
reported on stderr as "source: error: message [PW_E_CODE]".

--format b4 prints b4 review's CI check results (a JSON array, one
{tool, status, summary, url, details} per patch): set
  git config b4.review-perpatch-check-cmd "pinwatch review --format b4 -"
${REVIEW_EXIT}`;

/** "pinwatch outbox list": the words that run a command. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

function configOption(): Option {
  return new Option("-c, --config <file>", "a YAML file merged over config/default.yaml");
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError("not a revision number");
  return Number(value);
}

/** What an action returns: its exit status. */
type Action = (config: Config, cmd: Command) => Promise<number>;

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command("pinwatch")
    .description("Reviews Linux kernel patches for get_user_pages()/pin_user_pages() misuse, and replies on the list the way a GUP reviewer would.")
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help (also: pinwatch help <command>)")
    .showHelpAfterError()
    .exitOverride()
    // The command list reads as a synopsis: "pinwatch review [options] <input...>".
    .configureHelp({ subcommandTerm: (cmd) => `${commandPath(cmd)} ${cmd.usage()}`.trimEnd() })
    .configureOutput({
      writeOut: out,
      writeErr: err,
      outputError: (text, write) => write(`pinwatch: PW_E_USAGE ${visible(text.replace(/^error: /, "").trim().replace(/\s*\n\s*/g, " "))}\n`),
    })
    .addHelpText("after", EXIT_HELP);

  /** Loads the config lazily (help never needs it), runs the action, and turns PW_E_USAGE into the command's usage. */
  const run = (action: Action) => async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    try {
      setExit(await action(loadConfig(cmd.opts().config as string | undefined), cmd));
    } catch (e) {
      if (e instanceof PinwatchError && e.code === "PW_E_USAGE") {
        err(`${commandPath(cmd)}: PW_E_USAGE ${visible(e.message)}\n\n${cmd.helpInformation()}`);
        setExit(2);
        return;
      }
      throw e;
    }
  };

  program
    .command("review")
    .description("review mail from files, stdin, or a thread fetched by Message-ID or lore URL")
    .argument("<input...>", "paths, - for stdin, Message-IDs or lore URLs")
    .addOption(new Option("--format <format>", "text (checkpatch style), json, or b4 (b4 review's CI check results)").choices(["text", "json", "b4"]).default("text"))
    .addOption(new Option("--json", "the same as --format json: one JSON document on stdout").conflicts("format"))
    .option("-q, --quiet", "text: only the finding lines")
    .addOption(new Option("--fail-on <severity>", "exit 3 if a finding is this severe or worse").choices(["warning", "error"]))
    .option("--reply-dir <dir>", "write the reply for each patch with mailable findings (.eml)")
    .option("--use-version <n>", "a fetched thread: review revision N instead of the newest", positiveInt)
    .addOption(configOption())
    .addHelpText("after", REVIEW_HELP)
    .action(
      run(async (config, cmd) => {
        const o = cmd.opts();
        const { runReviewCommand } = await import("./review-command.js");
        return runReviewCommand({
          inputs: cmd.args, format: o.json ? "json" : o.format, quiet: !!o.quiet, failOn: o.failOn, replyDir: o.replyDir, useVersion: o.useVersion,
          config, log: subsystemLogger("review"), out, err,
        });
      }),
    );

  program
    .command("run")
    .description("the daemon (npm start): poll every enabled list now and on its schedule, review, reply by each list's mode, serve the dashboard")
    .addOption(configOption())
    .action(
      run(async (config) => {
        const { runDaemon } = await import("./run-command.js");
        return runDaemon(config, subsystemLogger("run"), out);
      }),
    );

  program
    .command("poll")
    .description("poll the lists (or one): once with --once, else on their schedules")
    .option("--once", "poll once and exit")
    .option("--list <name>", "only this list")
    .option("--json", "with --once: one JSON document on stdout")
    .addOption(configOption())
    .addHelpText("after", `${POLL_EXIT}\nWithout --once this is the daemon for those lists: it prints the same lines,\nkeeps polling, and stops with 1 when the database fails.`)
    .action(
      run(async (config, cmd) => {
        const o = cmd.opts();
        if (o.json && !o.once) throw new PinwatchError("PW_E_USAGE", "--json needs --once (the daemon prints a line per poll)");
        if (o.once) {
          const { runPollOnce } = await import("./poll-command.js");
          return runPollOnce(config, subsystemLogger("poll"), out, { list: o.list, json: !!o.json });
        }
        const { runDaemon } = await import("./run-command.js");
        return runDaemon(config, subsystemLogger("poll"), out, o.list);
      }),
    );

  program
    .command("backfill")
    .description("read a list from a date on; what is stored already is skipped, and a followed list's cursor never moves back")
    .option("--list <name>", "the list (required)")
    .option("--since <date>", "YYYY-MM-DD (required)")
    .option("--json", "one JSON document on stdout")
    .addOption(configOption())
    .addHelpText("after", POLL_EXIT)
    .action(
      run(async (config, cmd) => {
        const o = cmd.opts();
        const since = o.since ? new Date(o.since) : undefined;
        if (!o.list || !since || Number.isNaN(since.getTime())) throw new PinwatchError("PW_E_USAGE", "backfill needs --list NAME and --since DATE (YYYY-MM-DD)");
        const { runPollOnce } = await import("./poll-command.js");
        return runPollOnce(config, subsystemLogger("backfill"), out, { list: o.list, since, json: !!o.json });
      }),
    );

  const outbox = program
    .command("outbox")
    .description("the replies owed and their states: pending, sending, sent, failed, held, rejected")
    .addHelpText("after", "\nID is the outbox number or the reply's Message-ID.");
  const outboxAction = (action: string) =>
    run(async (config, cmd) => {
      const o = cmd.opts();
      const { runOutboxCommand } = await import("./outbox-command.js");
      return runOutboxCommand({ action, args: cmd.args, state: o.state, list: o.list, all: !!o.all, json: !!o.json, config, log: subsystemLogger("outbox"), out });
    });
  outbox
    .command("list")
    .description("the outbox, newest first, after the sending pause if there is one")
    .option("--state <state>", "only replies in this state")
    .option("--list <name>", "only replies to this list's patches")
    .option("--json", "one JSON document on stdout")
    .addOption(configOption())
    .action(outboxAction("list"));
  outbox.command("show").description("one reply: states, recipients, errors, the message").argument("<id>").option("--json", "one JSON document on stdout").addOption(configOption()).action(outboxAction("show"));
  outbox.command("approve").description("send a held reply (moderated lists)").argument("<id>").option("--json", "one JSON document on stdout").addOption(configOption()).action(outboxAction("approve"));
  outbox.command("reject").description("drop a held, pending or failed reply").argument("<id>").option("--json", "one JSON document on stdout").addOption(configOption()).action(outboxAction("reject"));
  outbox
    .command("retry")
    .description("send a failed reply again; --all: every failed reply, and lift a sending pause")
    .argument("[id]")
    .option("--all", "every failed reply (instead of an ID)")
    .option("--json", "one JSON document on stdout")
    .addOption(configOption())
    .action(outboxAction("retry"));
  outbox
    .command("send")
    .description("deliver what is due now; while sending is paused, try one reply at once")
    .option("--json", "one JSON document on stdout")
    .addOption(configOption())
    .addHelpText("after", "\nExit status: 1 when a reply failed or sending is still paused (outbox list says why).")
    .action(outboxAction("send"));

  program
    .command("serve")
    .description("the dashboard alone: overview, series, rules, outbox and moderation queue, JSON under /api")
    .addOption(configOption())
    .action(
      run(async (config) => {
        const { runServe } = await import("./serve-command.js");
        return runServe(config, subsystemLogger("web"), out);
      }),
    );

  program
    .command("digest")
    .description("print the digest of findings since a time, or with --to send it through the outbox (digest.mode)")
    .option("--since <when>", "12h, 1d, 2w or a date", "7d")
    .option("--to <address>", "record and deliver it for this address")
    .option("--list <name>", "only this list")
    .option("--maintainer <address>", "only files this MAINTAINERS entry looks after")
    .option("--json", "one JSON document on stdout")
    .addOption(configOption())
    .action(
      run(async (config, cmd) => {
        const o = cmd.opts();
        const { runDigestCommand } = await import("./digest-command.js");
        return runDigestCommand({ since: o.since, to: o.to, list: o.list, maintainer: o.maintainer, json: !!o.json, config, log: subsystemLogger("digest"), out });
      }),
    );

  return program;
}

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help, help <command> and --version succeed; `pinwatch` (or `pinwatch outbox`) alone printed its help on stderr: bad usage.
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
      if (e.code === "commander.help") return e.exitCode === 0 ? 0 : 2;
      return 2;
    }
    throw e;
  }
  return code;
}

// `pinwatch ... | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

/** A database that failed under pinwatch must not be closed on the way out (see databaseAbandoned): exit at once. */
async function finish(code: number): Promise<void> {
  process.exitCode = code;
  const { databaseAbandoned } = await import("../store/storage-guard.js");
  if (databaseAbandoned()) process.exit(code);
}

main(process.argv.slice(2)).then(
  (code) => finish(code),
  (e: unknown) => {
    if (e instanceof PinwatchError) {
      err(`pinwatch: ${e.code} ${visible(e.message, { newlines: true })}\n`);
      return finish(e.code === "PW_E_USAGE" ? 2 : 1);
    }
    err(`pinwatch: unexpected failure: ${visible(String((e as Error)?.stack ?? e), { newlines: true })}\n`);
    return finish(1);
  },
);
