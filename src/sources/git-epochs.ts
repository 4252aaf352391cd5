// public-inbox v2 git epochs, the way lore asks to be mirrored: each epoch
// <url>/<N> is mirror-cloned once and fetched afterwards; every commit holds
// one message in the blob `m`, or a deletion in the blob `d`. New epochs are
// found in <url>/manifest.js.gz (grokmirror; fetched conditionally, its
// epochs and validators kept beside the mirrors), or by probing <url>/<N+1>.
// Only the epochs a read needs are cloned: from the cursor's epoch on, or,
// on a first poll from a date (startFrom) or a backfill, those holding mail
// from that date on, newest first, so following LKML from today does not
// mirror its history first.
// The cursor is "<epoch>:<commit>", the last commit whose message is stored.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
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

/** An epoch the source offers; `modified` (seconds) is its newest mail's time when the manifest says. */
interface RemoteEpoch {
  n: number;
  modified?: number;
}

/** The last manifest read, with its validators for the next conditional request. */
interface ManifestCache {
  url: string;
  etag?: string;
  lastModified?: string;
  epochs: RemoteEpoch[];
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
  private async remoteEpochs(signal?: AbortSignal): Promise<RemoteEpoch[]> {
    const base = this.url.replace(/\/+$/, "");
    if (!isRemote(base)) {
      if (existsSync(join(base, "git"))) {
        return readdirSync(join(base, "git"))
          .map((name) => /^(\d+)\.git$/.exec(name)?.[1])
          .filter((n): n is string => n !== undefined)
          .map((n) => ({ n: Number(n) }))
          .sort((a, b) => a.n - b.n);
      }
      if (!existsSync(base)) throw new PinwatchError("PW_E_SOURCE_FETCH", "no such git directory or bundle", { subject: base });
      return [{ n: 0 }];
    }
    const fromManifest = await this.manifestEpochs(`${base}/manifest.js.gz`, signal);
    if (fromManifest && fromManifest.length > 0) return fromManifest;
    // No manifest: the epochs we have, plus any newer one that answers.
    const known = this.localEpochs();
    let next = known.length > 0 ? known[known.length - 1]! + 1 : 0;
    const found = known.map((n) => ({ n }));
    for (;;) {
      try {
        await runGit(["ls-remote", "--heads", this.epochUrl(next)], { config: this.gitConfig(), timeoutMs: this.polite.timeoutMs, signal });
        found.push({ n: next++ });
      } catch {
        break;
      }
    }
    return found;
  }

  private get manifestCachePath(): string {
    return join(this.dir, "manifest.json");
  }

  /**
   * The epochs listed in manifest.js.gz, asked for conditionally (If-None-Match,
   * If-Modified-Since) with the validators of the last copy read: an unchanged
   * manifest costs a 304, not the whole file. undefined when there is none.
   */
  private async manifestEpochs(url: string, signal?: AbortSignal): Promise<RemoteEpoch[] | undefined> {
    let cached: ManifestCache | undefined;
    try {
      cached = JSON.parse(readFileSync(this.manifestCachePath, "utf8")) as ManifestCache;
      if (cached.url !== url || !Array.isArray(cached.epochs)) cached = undefined;
    } catch {
      cached = undefined;
    }
    const conditional: Record<string, string> = {};
    if (cached?.etag) conditional["if-none-match"] = cached.etag;
    if (cached?.lastModified) conditional["if-modified-since"] = cached.lastModified;
    const response = await withRetry(`${this.id} manifest`, this.polite, () => politeGet(url, this.polite, conditional, signal), signal);
    if (response.status === 304 && cached) return cached.epochs;
    if (response.status !== 200) return undefined;
    let entries: Record<string, { modified?: unknown }>;
    try {
      entries = JSON.parse(gunzipSync(response.body).toString("utf8")) as typeof entries;
    } catch (cause) {
      throw new RetryableError("PW_E_SOURCE_FORMAT", "manifest.js.gz is not gzip'd JSON", { subject: url, cause });
    }
    const epochs = Object.entries(entries)
      .map(([key, entry]) => ({ n: /\/git\/(\d+)\.git$/.exec(key)?.[1], modified: typeof entry?.modified === "number" ? entry.modified : undefined }))
      .filter((e): e is { n: string; modified: number | undefined } => e.n !== undefined)
      .map((e) => ({ n: Number(e.n), ...(e.modified !== undefined ? { modified: e.modified } : {}) }))
      .sort((a, b) => a.n - b.n);
    const fresh: ManifestCache = { url, etag: response.headers.get("etag") ?? undefined, lastModified: response.headers.get("last-modified") ?? undefined, epochs };
    writeFileSync(this.manifestCachePath, JSON.stringify(fresh));
    return epochs;
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

  async fetch({ signal, cursor, since }: FetchOptions = {}): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const remote = await this.remoteEpochs(signal);
    const local = new Set(this.localEpochs());
    const newestLocal = Math.max(-1, ...local);
    // Read from a date: no cursor counts; else the cursor's epoch and newer ones.
    const floor = since ? undefined : parseCursor(cursor)?.epoch;
    const newestFirst = [...remote].sort((a, b) => b.n - a.n);
    let newer: RemoteEpoch | undefined;
    for (const epoch of newestFirst) {
      const n = epoch.n;
      if (local.has(n)) {
        // Older epochs are frozen once a newer one exists; only the newest grows.
        if (n >= newestLocal) await this.fetchEpoch(n, signal);
      } else if (await this.needed(epoch, newer, { newest: newestFirst[0]!.n, floor, since })) {
        await this.cloneEpoch(n, signal);
      } else {
        // Every older epoch is older still.
        if (newestFirst.some((e) => e.n < n && !local.has(e.n))) this.log.info({ epoch: n, floor, since: since?.toISOString() }, "older epochs are not mirrored: no mail read needs them");
        break;
      }
      newer = epoch;
    }
  }

  /**
   * Whether a read needs epoch `e`: the newest always; from a cursor, its
   * epoch and newer ones; from a date, an epoch whose newest mail (the
   * manifest's `modified`, or else the first commit of the next epoch) is
   * not older than it; from the beginning, all.
   */
  private async needed(e: RemoteEpoch, newer: RemoteEpoch | undefined, read: { newest: number; floor?: number; since?: Date }): Promise<boolean> {
    if (e.n === read.newest) return true;
    if (read.floor !== undefined) return e.n >= read.floor;
    if (!read.since) return true;
    const since = read.since.getTime() / 1000;
    if (e.modified !== undefined) return e.modified >= since;
    if (!newer) return true;
    const started = await this.firstCommitTime(newer.n);
    return started === undefined || started >= since;
  }

  /** The commit time (seconds) of an epoch mirror's first commit. */
  private async firstCommitTime(n: number): Promise<number | undefined> {
    try {
      const out = (await runGit(["log", "--max-parents=0", "--format=%ct", "HEAD"], { cwd: this.mirror(n) })).toString().trim().split("\n");
      const times = out.map(Number).filter(Number.isFinite);
      return times.length ? Math.min(...times) : undefined;
    } catch {
      return undefined;
    }
  }

  private async cloneEpoch(n: number, signal?: AbortSignal): Promise<void> {
    const dir = this.mirror(n);
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
  }

  private async fetchEpoch(n: number, signal?: AbortSignal): Promise<void> {
    await withRetry(`${this.id} fetch epoch ${n}`, this.polite, () =>
      this.polite.limiter.run(this.hostOf(), () => runGit(["fetch", "-q", "--prune", "origin"], { cwd: this.mirror(n), config: this.gitConfig(), network: true, signal })),
    signal);
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
    // rev-list's output is kept as it came, one string (41 bytes a commit); arrays of commits and
    // their blob names are made a window at a time, so what a read holds stays flat in the epoch's size.
    const listCommits = async (epoch: number, range: string) => (await runGit(["rev-list", "--reverse", ...since, range, "--"], { cwd: this.mirror(epoch) })).toString("latin1");
    let firstCommits: string | undefined;
    if (options.onTotal && plan.length > 0) {
      // Counted up front for the progress bar. Only the first epoch's commit list is built now, the others' when they are read.
      firstCommits = await listCommits(plan[0]!.epoch, plan[0]!.range);
      let total = countLines(firstCommits);
      for (const { epoch, range } of plan.slice(1)) total += Number((await runGit(["rev-list", "--count", ...since, range, "--"], { cwd: this.mirror(epoch) })).toString().trim());
      options.onTotal(total);
    }
    for (const { epoch, range } of plan) {
      const dir = this.mirror(epoch);
      // The first epoch's list, if counting built it; dropped once taken, so a later epoch's read holds only its own.
      const list = firstCommits ?? (await listCommits(epoch, range));
      firstCommits = undefined;
      for (const commits of windowsOf(list, COMMIT_WINDOW)) {
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

/** Commits per window of a read: each window is one pass of cat-file (two processes started), a few milliseconds. */
const COMMIT_WINDOW = 16384;

export function countLines(list: string): number {
  let n = 0;
  for (let at = list.indexOf("\n"); at >= 0; at = list.indexOf("\n", at + 1)) n++;
  // A last line without its newline counts too.
  return list.length > 0 && !list.endsWith("\n") ? n + 1 : n;
}

/** The non-empty lines of `list`, `size` at a time. */
export function* windowsOf(list: string, size: number): Generator<string[]> {
  let start = 0;
  while (start < list.length) {
    const window: string[] = [];
    while (window.length < size && start < list.length) {
      let end = list.indexOf("\n", start);
      if (end < 0) end = list.length;
      if (end > start) window.push(list.slice(start, end));
      start = end + 1;
    }
    if (window.length > 0) yield window;
  }
}

function parseCursor(cursor: string | undefined): { epoch: number; commit: string } | undefined {
  const m = cursor ? /^(\d+):([0-9a-f]{40,64})$/.exec(cursor) : null;
  return m ? { epoch: Number(m[1]), commit: m[2]! } : undefined;
}
