// public-inbox v2 git epochs, the way lore asks to be mirrored: each epoch
// <url>/<N> is mirror-cloned once and fetched afterwards; every commit holds
// one message in the blob `m`, or a deletion in the blob `d`. New epochs are
// found in <url>/manifest.js.gz (grokmirror), or by probing <url>/<N+1>.
// The cursor is "<epoch>:<commit>", the last commit whose message is stored.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { PinwatchError, RetryableError } from "../errors.js";
import type { Logger } from "../log.js";
import { catFileBatch, runGit } from "./git.js";
import { politeGet, withRetry, type Politeness } from "./polite.js";
import type { FetchOptions, ReadOptions, Source, SourceMessage } from "./source.js";

function isRemote(url: string): boolean {
  return /^https?:\/\//.test(url);
}

export class GitEpochSource implements Source {
  readonly type = "git" as const;
  readonly id: string;
  private readonly dir: string;
  private readonly log: Logger;

  constructor(
    readonly list: string,
    private readonly url: string,
    mirrorDir: string,
    private readonly polite: Politeness,
  ) {
    this.id = `${list}:git`;
    this.dir = resolve(mirrorDir, list, "git");
    this.log = polite.log.child({ source: this.id });
  }

  private epochUrl(n: number): string {
    const base = this.url.replace(/\/+$/, "");
    if (isRemote(base)) return `${base}/${n}`;
    // A local public-inbox inbox (…/git/N.git), or a single git dir or bundle as epoch 0.
    const inInbox = join(base, "git", `${n}.git`);
    if (existsSync(inInbox)) return inInbox;
    return base;
  }

  private mirror(n: number): string {
    return join(this.dir, `${n}.git`);
  }

  /** Epochs mirrored locally, ascending. */
  localEpochs(): number[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .map((name) => /^(\d+)\.git$/.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** Epochs the remote offers, ascending. */
  private async remoteEpochs(signal?: AbortSignal): Promise<number[]> {
    const base = this.url.replace(/\/+$/, "");
    if (!isRemote(base)) {
      if (existsSync(join(base, "git"))) {
        return readdirSync(join(base, "git"))
          .map((name) => /^(\d+)\.git$/.exec(name)?.[1])
          .filter((n): n is string => n !== undefined)
          .map(Number)
          .sort((a, b) => a - b);
      }
      if (!existsSync(base)) throw new PinwatchError("PW_E_SOURCE_FETCH", "no such git directory or bundle", { subject: base });
      return [0];
    }
    const manifest = await withRetry(`${this.id} manifest`, this.polite, () => politeGet(`${base}/manifest.js.gz`, this.polite, {}, signal), signal);
    if (manifest.status === 200) {
      let entries: Record<string, unknown>;
      try {
        entries = JSON.parse(gunzipSync(manifest.body).toString("utf8")) as Record<string, unknown>;
      } catch (cause) {
        throw new RetryableError("PW_E_SOURCE_FORMAT", "manifest.js.gz is not gzip'd JSON", { subject: `${base}/manifest.js.gz`, cause });
      }
      const epochs = Object.keys(entries)
        .map((key) => /\/git\/(\d+)\.git$/.exec(key)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
      if (epochs.length > 0) return epochs;
    }
    // No manifest: the epochs we have, plus any newer one that answers.
    const known = this.localEpochs();
    let next = known.length > 0 ? known[known.length - 1]! + 1 : 0;
    const found = [...known];
    for (;;) {
      try {
        await runGit(["ls-remote", "--heads", this.epochUrl(next)], { config: this.gitConfig(), timeoutMs: this.polite.timeoutMs, signal });
        found.push(next++);
      } catch {
        break;
      }
    }
    return found;
  }

  private gitConfig(): Record<string, string> {
    return {
      "http.userAgent": this.polite.userAgent,
      // Abort transfers that stall rather than hang forever.
      "http.lowSpeedLimit": "1000",
      "http.lowSpeedTime": String(Math.ceil(this.polite.timeoutMs / 1000)),
    };
  }

  private hostOf(): string {
    return isRemote(this.url) ? new URL(this.url).host : "local";
  }

  async fetch({ signal }: FetchOptions = {}): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const remote = await this.remoteEpochs(signal);
    const local = new Set(this.localEpochs());
    const newestLocal = Math.max(-1, ...local);
    for (const n of remote) {
      const dir = this.mirror(n);
      if (!local.has(n)) {
        // Clone beside, then rename: a crash never leaves a half clone in place.
        const partial = `${dir}.partial`;
        rmSync(partial, { recursive: true, force: true });
        await withRetry(`${this.id} clone epoch ${n}`, this.polite, () =>
          this.polite.limiter.run(this.hostOf(), async () => {
            rmSync(partial, { recursive: true, force: true });
            await runGit(["clone", "--mirror", "-q", this.epochUrl(n), partial], { config: this.gitConfig(), network: true, signal });
          }),
        signal);
        renameSync(partial, dir);
        this.log.info({ epoch: n }, "epoch cloned");
      } else if (n >= newestLocal) {
        // Older epochs are frozen once a newer one exists; only the newest grows.
        await withRetry(`${this.id} fetch epoch ${n}`, this.polite, () =>
          this.polite.limiter.run(this.hostOf(), () => runGit(["fetch", "-q", "--prune", "origin"], { cwd: dir, config: this.gitConfig(), network: true, signal })),
        signal);
      }
    }
  }

  private async isAncestor(dir: string, commit: string): Promise<boolean> {
    try {
      await runGit(["merge-base", "--is-ancestor", commit, "HEAD"], { cwd: dir });
      return true;
    } catch {
      return false;
    }
  }

  async *read(cursor: string | undefined, options: ReadOptions = {}): AsyncGenerator<SourceMessage> {
    const parsed = options.since ? undefined : parseCursor(cursor);
    const plan: { epoch: number; range: string }[] = [];
    for (const epoch of this.localEpochs()) {
      if (parsed && epoch < parsed.epoch) continue;
      let range = "HEAD";
      if (parsed && epoch === parsed.epoch) {
        if (await this.isAncestor(this.mirror(epoch), parsed.commit)) range = `${parsed.commit}..HEAD`;
        // History rewritten (a purge): read the epoch again; the store skips what it has.
        else this.log.warn({ epoch, commit: parsed.commit }, "cursor commit is gone from the epoch; rereading it");
      }
      plan.push({ epoch, range });
    }
    const since = options.since ? [`--since=${options.since.toISOString()}`] : [];
    const listCommits = async (epoch: number, range: string) =>
      (await runGit(["rev-list", "--reverse", ...since, range, "--"], { cwd: this.mirror(epoch) })).toString("latin1").split("\n").filter(Boolean);
    let firstCommits: string[] | undefined;
    if (options.onTotal && plan.length > 0) {
      // Counted up front for the progress bar. Only the first epoch's commit list is built now, the others' when they are read.
      firstCommits = await listCommits(plan[0]!.epoch, plan[0]!.range);
      let total = firstCommits.length;
      for (const { epoch, range } of plan.slice(1)) total += Number((await runGit(["rev-list", "--count", ...since, range, "--"], { cwd: this.mirror(epoch) })).toString().trim());
      options.onTotal(total);
    }
    for (const { epoch, range } of plan) {
      const dir = this.mirror(epoch);
      // The first epoch's list, if counting built it; dropped once taken, so a later epoch's read holds only its own.
      const commits = firstCommits ?? (await listCommits(epoch, range));
      firstCommits = undefined;
      let i = 0;
      // cat-file finds each commit's message by path (<commit>:m), so no tree diff of the whole epoch has to run before reading starts.
      for await (const blob of catFileBatch(dir, commits.map((c) => `${c}:m`))) {
        const commit = commits[i++]!;
        if (options.signal?.aborted) return;
        const cursor = `${epoch}:${commit}`;
        const position = `${this.list} epoch ${epoch} commit ${commit.slice(0, 12)}`;
        if (blob.bytes) {
          yield { cursor, position, bytes: blob.bytes };
          continue;
        }
        // No message: a deletion (blob `d`), a commit without either, or a blob missing from the mirror.
        const other = await this.withoutMessage(dir, commit);
        if (other.deleted) yield { cursor, position, bytes: other.deleted, deleted: true };
        else if (other.missing) {
          const error = new PinwatchError("PW_E_SOURCE_FORMAT", `blob ${other.missing} is missing from the mirror`, { subject: position });
          yield { cursor, position, bytes: Buffer.alloc(0), error };
        } else yield { cursor, position, bytes: Buffer.alloc(0), outOfRange: true };
      }
    }
  }

  /** What a commit without a readable `m` holds: the deleted message, the oid of a blob the mirror lacks, or nothing. */
  private async withoutMessage(dir: string, commit: string): Promise<{ deleted?: Buffer; missing?: string }> {
    const entries = new Map<string, string>();
    for (const line of (await runGit(["ls-tree", commit], { cwd: dir })).toString("latin1").split("\n")) {
      const entry = /^\d+ blob ([0-9a-f]+)\t(m|d)$/.exec(line);
      if (entry) entries.set(entry[2]!, entry[1]!);
    }
    const d = entries.get("d");
    if (d) {
      try {
        return { deleted: await runGit(["cat-file", "blob", d], { cwd: dir }) };
      } catch {
        return { missing: d };
      }
    }
    const m = entries.get("m");
    return m ? { missing: m } : {};
  }

  async close(): Promise<void> {}
}

function parseCursor(cursor: string | undefined): { epoch: number; commit: string } | undefined {
  const m = cursor ? /^(\d+):([0-9a-f]{40,64})$/.exec(cursor) : null;
  return m ? { epoch: Number(m[1]), commit: m[2]! } : undefined;
}
