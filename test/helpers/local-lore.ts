// A real public-inbox (Debian's package: the software lore runs) on
// loopback, over v2 inboxes built from the tests' own messages. Messages are
// committed to the epochs the way public-inbox stores them (one commit per
// message, the message in blob `m`) and indexed with public-inbox-index;
// deletions go through public-inbox-learn rm. Skipped when the package is
// not installed (.ci/run installs it).
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commitMessages } from "./epoch.js";

export const hasPublicInbox = spawnSync("sh", ["-c", "command -v public-inbox-httpd && command -v public-inbox-nntpd && command -v public-inbox-index"]).status === 0;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export async function waitForPort(port: number, timeoutMs = 10000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => (socket.destroy(), resolve(true)));
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class LocalLore {
  readonly dir: string;
  readonly config: string;
  httpPort = 0;
  nntpPort = 0;
  private http?: ChildProcess;
  private nntp?: ChildProcess;
  private clock = 1780000000;

  private constructor(readonly lists: string[]) {
    this.dir = mkdtempSync(join(tmpdir(), "pinwatch-lore-"));
    this.config = join(this.dir, "pi-config");
  }

  static async create(lists: string[]): Promise<LocalLore> {
    const lore = new LocalLore(lists);
    lore.httpPort = await freePort();
    lore.nntpPort = await freePort();
    writeFileSync(lore.config, "[publicinboxmda]\n\tspamcheck = none\n[publicinbox]\n\twwwlisting = all\n");
    for (const list of lists) {
      lore.pi(["public-inbox-init", "-V2", "-L", "basic", list, lore.inboxDir(list), lore.url(list), `${list}@example.org`]);
      execFileSync("git", ["config", "-f", lore.config, `publicinbox.${list}.newsgroup`, lore.group(list)]);
    }
    await lore.startServers();
    return lore;
  }

  private env() {
    return { ...process.env, PI_CONFIG: this.config, HOME: this.dir };
  }

  private pi(args: string[], input?: Buffer): void {
    const r = spawnSync(args[0]!, args.slice(1), { env: this.env(), input, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  }

  inboxDir(list: string): string {
    return join(this.dir, "inboxes", list);
  }

  url(list: string): string {
    return `http://127.0.0.1:${this.httpPort}/${list}`;
  }

  group(list: string): string {
    return `test.${list}`;
  }

  /** The newest epoch number of a list's inbox. */
  newestEpoch(list: string): number {
    let n = 0;
    while (existsSync(join(this.inboxDir(list), "git", `${n + 1}.git`))) n++;
    return n;
  }

  /** Commits messages to the newest epoch (or a new one) and indexes them; `at`: the commits' time (seconds) instead of the lab's clock. */
  add(list: string, messages: Buffer[], options: { newEpoch?: boolean; at?: number } = {}): void {
    let epoch = this.newestEpoch(list);
    if (options.newEpoch) {
      epoch++;
      execFileSync("git", ["init", "-q", "--bare", join(this.inboxDir(list), "git", `${epoch}.git`)]);
    }
    const gitDir = join(this.inboxDir(list), "git", `${epoch}.git`);
    if (options.at !== undefined) commitMessages(gitDir, messages.map((m) => ({ m })), options.at);
    else {
      commitMessages(gitDir, messages.map((m) => ({ m })), this.clock);
      this.clock += messages.length;
    }
    this.pi(["public-inbox-index", this.inboxDir(list)]);
  }

  /** Delivers one mail into a list's inbox the way an MTA does: public-inbox-mda on stdin. */
  mda(list: string, raw: string | Buffer): void {
    const r = spawnSync("public-inbox-mda", [], { env: { ...this.env(), ORIGINAL_RECIPIENT: `${list}@example.org` }, input: raw, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`public-inbox-mda exited ${r.status}: ${r.stderr}`);
  }

  /** Removes a message the way an admin does (a `d` commit in the newest epoch). */
  remove(message: Buffer): void {
    this.pi(["public-inbox-learn", "rm"], message);
  }

  async startServers(): Promise<void> {
    await this.startHttp();
    await this.startNntp();
  }

  async startNntp(): Promise<void> {
    const log = openSync(join(this.dir, "nntpd.log"), "a");
    this.nntp = spawn("public-inbox-nntpd", ["-l", `nntp://127.0.0.1:${this.nntpPort}`, "-W0"], { env: this.env(), stdio: ["ignore", log, log] });
    await waitForPort(this.nntpPort);
  }

  async stopNntp(): Promise<void> {
    await stop(this.nntp);
    this.nntp = undefined;
  }

  async startHttp(): Promise<void> {
    const log = openSync(join(this.dir, "httpd.log"), "a");
    // Everything runs as one user, so git http-backend never meets "dubious ownership".
    this.http = spawn("public-inbox-httpd", ["-l", `http://127.0.0.1:${this.httpPort}`, "-W0"], { env: this.env(), stdio: ["ignore", log, log] });
    await waitForPort(this.httpPort);
  }

  async stopHttp(): Promise<void> {
    await stop(this.http);
    this.http = undefined;
  }

  async close(): Promise<void> {
    await stop(this.http);
    await stop(this.nntp);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}
