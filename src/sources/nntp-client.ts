// A small NNTP reader client (RFC 3977: GROUP, ARTICLE, OVER, STAT, QUIT) that
// keeps articles as raw bytes. The npm NNTP clients decode articles to
// UTF-8 strings and split headers into objects, which loses the exact bytes
// a mail parser needs (8-bit bodies, header order, folding), and have no
// timeouts; this one has both.
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { PinwatchError, RetryableError } from "../errors.js";

export interface NntpResponse {
  code: number;
  text: string;
  /** Multi-line payload, dot-unstuffed, CRLF kept as sent. */
  data?: Buffer;
}

/** Responses followed by a multi-line data block. */
// (211 is multi-line only for LISTGROUP, which is not used.)
const MULTILINE = new Set([100, 101, 215, 220, 221, 222, 224, 225, 230, 231]);

export class NntpClient {
  private socket?: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private waiter?: () => void;
  private failure?: Error;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly tls: boolean,
    private readonly timeoutMs: number,
  ) {}

  get subject(): string {
    return `nntp://${this.host}:${this.port}`;
  }

  async connect(): Promise<NntpResponse> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(new RetryableError("PW_E_SOURCE_FETCH", `cannot connect: ${err.message}`, { subject: this.subject, cause: err }));
      const socket = this.tls ? tlsConnect({ host: this.host, port: this.port, servername: this.host }, resolve) : netConnect({ host: this.host, port: this.port }, resolve);
      socket.once("error", onError);
      socket.setTimeout(this.timeoutMs, () => socket.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      socket.on("data", (chunk: Buffer) => {
        this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
        this.wake();
      });
      socket.on("close", () => {
        this.failure ??= new Error("connection closed by the server");
        this.wake();
      });
      socket.on("error", (err) => {
        this.failure = err;
        this.wake();
      });
      this.socket = socket;
    });
    const greeting = await this.response(false);
    if (greeting.code !== 200 && greeting.code !== 201) throw new RetryableError("PW_E_SOURCE_FETCH", `server greeting ${greeting.code} ${greeting.text}`, { subject: this.subject });
    return greeting;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private async more(): Promise<void> {
    if (this.failure) throw new RetryableError("PW_E_SOURCE_FETCH", `connection lost: ${this.failure.message}`, { subject: this.subject, cause: this.failure });
    await new Promise<void>((resolve) => (this.waiter = resolve));
  }

  private async line(): Promise<string> {
    for (;;) {
      const end = this.buffer.indexOf("\r\n");
      if (end >= 0) {
        const text = this.buffer.toString("latin1", 0, end);
        this.buffer = this.buffer.subarray(end + 2);
        return text;
      }
      await this.more();
    }
  }

  private async block(): Promise<Buffer> {
    // The block ends with a line holding a single dot.
    for (;;) {
      const end = this.buffer.length >= 3 && this.buffer.subarray(0, 3).toString("latin1") === ".\r\n" ? 0 : this.buffer.indexOf("\r\n.\r\n");
      if (end >= 0) {
        const raw = end === 0 ? Buffer.alloc(0) : this.buffer.subarray(0, end + 2);
        this.buffer = this.buffer.subarray(end === 0 ? 3 : end + 5);
        return unstuff(raw);
      }
      await this.more();
    }
  }

  private async response(multiline = true): Promise<NntpResponse> {
    const status = await this.line();
    const code = Number(status.slice(0, 3));
    if (!Number.isInteger(code)) throw new RetryableError("PW_E_SOURCE_FORMAT", `not an NNTP status line: "${status.slice(0, 60)}"`, { subject: this.subject });
    const text = status.slice(4);
    if (multiline && MULTILINE.has(code)) return { code, text, data: await this.block() };
    return { code, text };
  }

  async command(line: string): Promise<NntpResponse> {
    if (!this.socket || this.socket.destroyed) throw new RetryableError("PW_E_SOURCE_FETCH", "not connected", { subject: this.subject });
    if (/[\r\n]/.test(line)) throw new PinwatchError("PW_E_SOURCE_FETCH", "a command cannot contain a line break", { subject: this.subject });
    this.socket.write(`${line}\r\n`);
    return this.response();
  }

  /** GROUP: the article number range. */
  async group(name: string): Promise<{ count: number; low: number; high: number }> {
    const r = await this.command(`GROUP ${name}`);
    if (r.code !== 211) throw new PinwatchError("PW_E_SOURCE_FETCH", `GROUP ${name}: ${r.code} ${r.text}`, { subject: this.subject });
    const [count, low, high] = r.text.split(/\s+/).map(Number);
    return { count: count ?? 0, low: low ?? 0, high: high ?? 0 };
  }

  /** ARTICLE n: the raw message, or undefined when there is no such article (423/430). */
  async article(n: number): Promise<Buffer | undefined> {
    const r = await this.command(`ARTICLE ${n}`);
    if (r.code === 423 || r.code === 430) return undefined;
    if (r.code !== 220 || !r.data) throw new RetryableError("PW_E_SOURCE_FETCH", `ARTICLE ${n}: ${r.code} ${r.text}`, { subject: this.subject });
    return r.data;
  }

  /** OVER low-high: article number and Date of each. */
  async overDates(low: number, high: number): Promise<{ n: number; date: number }[]> {
    const r = await this.command(`OVER ${low}-${high}`);
    if (r.code === 423) return [];
    if (r.code !== 224 || !r.data) throw new RetryableError("PW_E_SOURCE_FETCH", `OVER: ${r.code} ${r.text}`, { subject: this.subject });
    return r.data
      .toString("latin1")
      .split("\r\n")
      .filter(Boolean)
      .map((l) => l.split("\t"))
      .map((f) => ({ n: Number(f[0]), date: Date.parse(f[3] ?? "") }));
  }

  /** STAT <message-id>: whether the server has the article (223) or not (430). */
  async has(messageId: string): Promise<boolean> {
    if (/[\s<>]/.test(messageId)) return false;
    const r = await this.command(`STAT <${messageId}>`);
    if (r.code === 223) return true;
    if (r.code === 430) return false;
    throw new RetryableError("PW_E_SOURCE_FETCH", `STAT <${messageId}>: ${r.code} ${r.text}`, { subject: this.subject });
  }

  async quit(): Promise<void> {
    try {
      if (this.socket && !this.socket.destroyed) {
        this.socket.write("QUIT\r\n");
        this.socket.end();
      }
    } finally {
      this.socket?.destroy();
      this.socket = undefined;
    }
  }
}

/** Undoes NNTP dot-stuffing: a line starting ".." starts with "." in the article. */
function unstuff(raw: Buffer): Buffer {
  if (raw.indexOf("\r\n..") < 0 && !(raw[0] === 0x2e && raw[1] === 0x2e)) return raw;
  const text = raw.toString("latin1");
  return Buffer.from(text.replace(/(^|\r\n)\.\./g, "$1."), "latin1");
}
