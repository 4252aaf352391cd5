// NNTP (e.g. nntp.lore.kernel.org): GROUP gives the high-water mark, each
// new article is read by number with ARTICLE, and a dropped connection is
// reopened with backoff. The cursor is "<group>:<last article number>".
import { NntpClient } from "./nntp-client.js";
import { withRetry, type Politeness } from "./polite.js";
import type { FetchOptions, ReadOptions, Source, SourceMessage } from "./source.js";

export class NntpSource implements Source {
  readonly type = "nntp" as const;
  readonly id: string;
  private client?: NntpClient;
  private high = 0;
  private low = 1;

  constructor(
    readonly list: string,
    private readonly server: { host: string; port: number; tls: boolean; group: string },
    private readonly polite: Politeness,
  ) {
    this.id = `${list}:nntp`;
  }

  private async reconnect(): Promise<NntpClient> {
    await this.client?.quit().catch(() => undefined);
    const client = new NntpClient(this.server.host, this.server.port, this.server.tls, this.polite.timeoutMs);
    this.client = client;
    await client.connect();
    const range = await client.group(this.server.group);
    this.high = range.high;
    this.low = range.low;
    return client;
  }

  /** Runs one exchange, reconnecting (with backoff) when the connection fails. */
  private async exchange<T>(what: string, task: (client: NntpClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withRetry(
      `${this.id} ${what}`,
      this.polite,
      () =>
        this.polite.limiter.run(this.server.host, async () => {
          const client = this.client ?? (await this.reconnect());
          try {
            return await task(client);
          } catch (err) {
            // The next attempt starts on a fresh connection.
            await this.client?.quit().catch(() => undefined);
            this.client = undefined;
            throw err;
          }
        }),
      signal,
    );
  }

  async fetch({ signal }: FetchOptions = {}): Promise<void> {
    await this.exchange("GROUP", async (client) => {
      const range = await client.group(this.server.group);
      this.high = range.high;
      this.low = range.low;
    }, signal);
  }

  private cursorNumber(cursor: string | undefined): number | undefined {
    const m = cursor ? /:(\d+)$/.exec(cursor) : null;
    return m ? Number(m[1]) : undefined;
  }

  /** First article dated on or after `since`, found from the overview. */
  private async firstSince(since: Date, signal?: AbortSignal): Promise<number> {
    const step = 1000;
    for (let start = this.low; start <= this.high; start += step) {
      const end = Math.min(this.high, start + step - 1);
      const dates = await this.exchange("OVER", (client) => client.overDates(start, end), signal);
      const hit = dates.find((d) => d.date >= since.getTime());
      if (hit) return hit.n;
    }
    return this.high + 1;
  }

  async *read(cursor: string | undefined, options: ReadOptions = {}): AsyncGenerator<SourceMessage> {
    const after = this.cursorNumber(cursor);
    const first = options.since ? await this.firstSince(options.since, options.signal) : after !== undefined ? after + 1 : this.low;
    const last = this.high;
    options.onTotal?.(Math.max(0, last - first + 1));
    for (let n = first; n <= last; n++) {
      if (options.signal?.aborted) return;
      const bytes = await this.exchange(`ARTICLE ${n}`, (client) => client.article(n), options.signal);
      // Expired or cancelled articles leave gaps in the numbering.
      if (!bytes) continue;
      yield { cursor: `${this.server.group}:${n}`, position: `${this.list} ${this.server.group} article ${n}`, bytes: Buffer.from(bytes.toString("latin1").replace(/\r\n/g, "\n"), "latin1") };
    }
  }

  async close(): Promise<void> {
    await this.client?.quit().catch(() => undefined);
    this.client = undefined;
  }
}
