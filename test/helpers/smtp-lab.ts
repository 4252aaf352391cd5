// A local mail server for outbox tests: smtp-server (nodemailer's sibling
// package) behind a small TCP proxy that can go down or cut a connection in
// the middle of DATA. Every accepted message is recorded, and may be handed
// on (to public-inbox-mda, or appended to a list's mailbox) so the list
// "echoes" what the bot sent. Faults are queued and used up one per message.
import { createServer, connect, type Server, type Socket } from "node:net";
import { SMTPServer } from "smtp-server";
import { freePort } from "./local-lore.js";

export type SmtpFault =
  /** 451: try again later. */
  | "4xx"
  /** 550: rejected for good. */
  | "5xx"
  /** The connection is cut after part of the message body went through. */
  | "drop-mid-data"
  /** The message is accepted and handed on, then `onAccepted` runs before the 250 goes out (kill -9 the sender there). */
  | "hold-250";

export interface Received {
  messageId: string;
  envelopeTo: string[];
  raw: string;
}

export class SmtpLab {
  readonly received: Received[] = [];
  readonly faults: SmtpFault[] = [];
  /** Called for each accepted message, before it is acknowledged. */
  deliver: (message: Received) => Promise<void> | void = () => undefined;
  /** Called when a "hold-250" fault fires, after the message was recorded. */
  onAccepted: () => void = () => undefined;
  port = 0;
  private backendPort = 0;
  private smtp?: SMTPServer;
  private proxy?: Server;
  private readonly sockets = new Set<Socket>();
  private dropNextData = false;

  /** AUTH attempts seen, right or wrong (with a login set). */
  readonly logins: { user: string; ok: boolean }[] = [];

  /** With `login`, AUTH is required (plain text on loopback) and checked against it: 535 when wrong, 530 when absent. */
  static async start(options: { login?: { user: string; pass: string } } = {}): Promise<SmtpLab> {
    const lab = new SmtpLab();
    lab.port = await freePort();
    lab.backendPort = await freePort();
    const login = options.login;
    lab.smtp = new SMTPServer({
      authOptional: !login,
      disabledCommands: login ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
      allowInsecureAuth: true,
      authMethods: ["PLAIN", "LOGIN"],
      onAuth: (auth, _session, callback) => {
        const ok = !!login && auth.username === login.user && auth.password === login.pass;
        lab.logins.push({ user: auth.username ?? "", ok });
        callback(ok ? null : new Error("Invalid username or password"), ok ? { user: auth.username } : undefined);
      },
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          const fault = lab.faults.shift();
          if (fault === "4xx" || fault === "5xx") {
            const err = Object.assign(new Error(fault === "4xx" ? "4.3.0 try again later" : "5.7.1 message refused by policy"), { responseCode: fault === "4xx" ? 451 : 550 });
            return callback(err);
          }
          const raw = Buffer.concat(chunks).toString("utf8");
          const message = { messageId: /^Message-ID:\s*<([^>]+)>/im.exec(raw)?.[1] ?? "", envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw };
          lab.received.push(message);
          Promise.resolve(lab.deliver(message)).then(
            () => {
              if (fault === "hold-250") {
                lab.onAccepted();
                // The sender is gone; acknowledge late so nothing hangs.
                setTimeout(() => callback(), 200);
              } else callback();
            },
            (err: Error) => callback(Object.assign(err, { responseCode: 451 })),
          );
        });
      },
    });
    await new Promise<void>((resolve) => lab.smtp!.listen(lab.backendPort, "127.0.0.1", resolve));
    await lab.up();
    return lab;
  }

  /** Queues a fault; "drop-mid-data" is done by the proxy. */
  fault(...faults: SmtpFault[]): void {
    for (const f of faults) {
      if (f === "drop-mid-data") this.dropNextData = true;
      else this.faults.push(f);
    }
  }

  /** Accepts connections again (after down()). */
  async up(): Promise<void> {
    if (this.proxy) return;
    this.proxy = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve) => this.proxy!.listen(this.port, "127.0.0.1", resolve));
  }

  /** The server is down: connections are refused, open ones cut. */
  async down(): Promise<void> {
    const proxy = this.proxy;
    this.proxy = undefined;
    for (const s of this.sockets) s.destroy();
    if (proxy) await new Promise<void>((resolve) => proxy.close(() => resolve()));
  }

  distinctMessageIds(): Set<string> {
    return new Set(this.received.map((r) => r.messageId));
  }

  private pipe(client: Socket): void {
    const server = connect(this.backendPort, "127.0.0.1");
    this.sockets.add(client).add(server);
    const cut = () => {
      client.destroy();
      server.destroy();
    };
    let inData = false;
    client.on("data", (chunk: Buffer) => {
      if (this.dropNextData && inData) {
        // Part of the body reaches the server, never its end.
        this.dropNextData = false;
        server.write(chunk.subarray(0, Math.max(1, Math.floor(chunk.length / 2))), cut);
        return;
      }
      if (/^DATA\r\n/im.test(chunk.toString("latin1"))) inData = true;
      server.write(chunk);
    });
    server.on("data", (chunk) => client.write(chunk));
    client.on("close", () => (server.destroy(), this.sockets.delete(client)));
    server.on("close", () => (client.destroy(), this.sockets.delete(server)));
    client.on("error", () => undefined);
    server.on("error", () => undefined);
  }

  async close(): Promise<void> {
    await this.down();
    await new Promise<void>((resolve) => this.smtp!.close(() => resolve()));
  }
}
