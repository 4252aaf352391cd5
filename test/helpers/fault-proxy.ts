// An HTTP proxy in front of the local public-inbox that can misbehave on
// request: answer 503 (with Retry-After), cut a response short, or be down.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export type Fault = "503" | "429" | "truncate" | "reset";

export class FaultProxy {
  private server?: Server;
  private readonly faults: { fault: Fault; match: RegExp }[] = [];
  readonly seen: { method: string; url: string; userAgent?: string; status?: number }[] = [];

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
    const entry: (typeof this.seen)[number] = { method: req.method ?? "GET", url: req.url ?? "/", userAgent: req.headers["user-agent"] };
    this.seen.push(entry);
    const i = this.faults.findIndex((f) => f.match.test(req.url ?? ""));
    const fault = i >= 0 ? this.faults.splice(i, 1)[0]!.fault : undefined;
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
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  }
}
