// An HTTP proxy in front of the local public-inbox that can misbehave on
// request: answer 503 (with Retry-After) or 404, cut a response short, or be
// down. With `conditional`, it also answers manifest.js.gz conditionally
// (an ETag, and 304 to a matching If-None-Match), as lore's front end can
// and public-inbox-httpd does not.
import { createHash } from "node:crypto";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";

export type Fault = "503" | "429" | "404" | "truncate" | "reset";

export class FaultProxy {
  private server?: Server;
  private readonly faults: { fault: Fault; match: RegExp }[] = [];
  readonly seen: { method: string; url: string; userAgent?: string; status?: number; ifNoneMatch?: string; ifModifiedSince?: string; bytes?: number }[] = [];
  /** Answer manifest.js.gz with an ETag, and 304 when the client already has it. */
  conditional = false;

  constructor(
    readonly port: number,
    private readonly targetPort: number,
  ) {}

  /** The next `times` requests whose URL matches get `fault`. */
  inject(fault: Fault, times = 1, match = /./): void {
    for (let i = 0; i < times; i++) this.faults.push({ fault, match });
  }

  pendingFaults(): number {
    return this.faults.length;
  }

  /** Drops the faults not used up. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  async up(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const entry: (typeof this.seen)[number] = {
      method: req.method ?? "GET", url: req.url ?? "/", userAgent: req.headers["user-agent"],
      ifNoneMatch: req.headers["if-none-match"], ifModifiedSince: req.headers["if-modified-since"],
    };
    this.seen.push(entry);
    const i = this.faults.findIndex((f) => f.match.test(req.url ?? ""));
    const fault = i >= 0 ? this.faults.splice(i, 1)[0]!.fault : undefined;
    if (fault === "404") {
      entry.status = 404;
      res.writeHead(404, { "content-type": "text/plain" }).end("Not Found\n");
      return;
    }
    if (fault === "503" || fault === "429") {
      entry.status = Number(fault);
      res.writeHead(Number(fault), { "retry-after": "0", "content-type": "text/plain" }).end("try later\n");
      return;
    }
    if (fault === "reset") {
      req.socket.destroy();
      return;
    }
    const upstream = request({ host: "127.0.0.1", port: this.targetPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      entry.status = up.statusCode;
      if (fault === "truncate") {
        const chunks: Buffer[] = [];
        up.on("data", (c: Buffer) => chunks.push(c));
        up.on("end", () => {
          const body = Buffer.concat(chunks);
          const headers = { ...up.headers, "content-length": String(body.length) };
          delete headers["transfer-encoding"];
          res.writeHead(up.statusCode ?? 502, headers);
          res.write(body.subarray(0, Math.floor(body.length / 2)));
          // Cut the connection with half the promised bytes sent.
          setTimeout(() => res.socket?.destroy(), 10);
        });
        return;
      }
      if (this.conditional && up.statusCode === 200 && /manifest\.js\.gz$/.test(req.url ?? "")) {
        const chunks: Buffer[] = [];
        up.on("data", (c: Buffer) => chunks.push(c));
        up.on("end", () => {
          // The manifest's content makes the ETag: not its gzip framing (which carries a time), nor the order of its keys (Perl's hashes have none).
          const body = Buffer.concat(chunks);
          const canonical = (v: unknown): unknown =>
            v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
          const etag = `"${createHash("sha1").update(JSON.stringify(canonical(JSON.parse(gunzipSync(body).toString("utf8"))))).digest("hex")}"`;
          if (req.headers["if-none-match"] === etag) {
            entry.status = 304;
            res.writeHead(304, { etag }).end();
            return;
          }
          entry.bytes = body.length;
          res.writeHead(200, { ...up.headers, etag, "content-length": String(body.length) }).end(body);
        });
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  }
}
