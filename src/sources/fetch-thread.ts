// Fetches one thread for `pinwatch review <message-id>`, the way b4 does:
// the public-inbox's <inbox>/<message-id>/t.mbox.gz over HTTP(S), or over
// NNTP the article itself and then, from the overview of the articles
// around it, every article of its thread. I/O only; choosing the series in
// the thread is src/review/thread-series.ts.
import { PinwatchError } from "../errors.js";
import { messagesFromBytes, type RawMessage } from "../input/read-inputs.js";
import { idList, stripAngles } from "../mail/message-ids.js";
import type { LoreConfig } from "../config/schema.js";
import { NntpClient } from "./nntp-client.js";
import { politeGet, withRetry, type Politeness } from "./polite.js";

/** A thread asked for on the command line: its Message-ID, and the inbox a lore URL named. */
export interface ThreadRef {
  messageId: string;
  /** The public-inbox the URL pointed into (https://lore.kernel.org/linux-mm); else the configured one. */
  inboxUrl?: string;
}

/** Looks like a Message-ID: something@something, no spaces, angle brackets allowed. */
const MESSAGE_ID = /^<?[^\s<>@]+@[^\s<>@]+>?$/;

/**
 * A lore URL (https://lore.kernel.org/<list>/<message-id>/..., /r/<message-id>,
 * https://patch.msgid.link/<message-id>) or a bare Message-ID; undefined for
 * anything else (which is then a path that does not exist).
 */
export function parseThreadRef(arg: string): ThreadRef | undefined {
  if (/^https?:\/\//i.test(arg)) {
    let url: URL;
    try {
      url = new URL(arg);
    } catch {
      return undefined;
    }
    const segments = url.pathname.split("/").filter(Boolean);
    const at = segments.findIndex((s) => decode(s).includes("@"));
    if (at < 0) return undefined;
    const messageId = stripAngles(decode(segments[at]!));
    // patch.msgid.link and lore's /r/ redirector name no inbox: read from the configured one.
    const inbox = segments.slice(0, at);
    if (url.hostname === "patch.msgid.link" || inbox.length === 0) return { messageId };
    if (inbox.length === 1 && inbox[0] === "r") return { messageId, inboxUrl: `${url.origin}/all` };
    return { messageId, inboxUrl: `${url.origin}/${inbox.join("/")}` };
  }
  return MESSAGE_ID.test(arg.trim()) ? { messageId: stripAngles(arg) } : undefined;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export interface FetchedThread {
  /** Where it was read: the mbox URL, or nntp://host:port/group. */
  source: string;
  messages: RawMessage[];
}

/** Articles read around the asked one, by number: a series and its replies arrive close together. */
const NNTP_WINDOW_BEFORE = 2000;
const NNTP_WINDOW_AFTER = 5000;

export async function fetchThread(ref: ThreadRef, lore: LoreConfig, polite: Politeness): Promise<FetchedThread> {
  if (lore.nntp && !ref.inboxUrl) return fetchOverNntp(ref.messageId, lore.nntp, polite);
  const base = (ref.inboxUrl ?? lore.url).replace(/\/+$/, "");
  const url = `${base}/${encodeURIComponent(ref.messageId)}/t.mbox.gz`;
  const response = await withRetry(`fetch ${url}`, polite, () => politeGet(url, polite));
  if (response.status === 404) throw new PinwatchError("PW_E_SOURCE_FETCH", `no message <${ref.messageId}> there (404)`, { subject: base });
  if (response.status !== 200) throw new PinwatchError("PW_E_SOURCE_FETCH", `server answered ${response.status}`, { subject: url });
  try {
    return { source: url, messages: messagesFromBytes(response.body, url) };
  } catch (cause) {
    throw new PinwatchError("PW_E_SOURCE_FORMAT", "the thread is not an mbox", { subject: url, cause });
  }
}

/** Xref: <host> <group>:<number> (public-inbox-nntpd adds it to every article it serves). */
function xref(article: Buffer): { group: string; number: number } | undefined {
  const head = article.toString("latin1", 0, Math.max(0, article.indexOf("\r\n\r\n")) || article.length);
  const m = /^Xref:\s*\S+\s+([^\s:]+):(\d+)/im.exec(head);
  return m ? { group: m[1]!, number: Number(m[2]) } : undefined;
}

function header(article: Buffer, name: string): string | undefined {
  const end = article.indexOf("\r\n\r\n");
  const head = article.toString("utf8", 0, end < 0 ? article.length : end).replace(/\r\n[ \t]+/g, " ");
  return new RegExp(`^${name}:[ \\t]*(.*)$`, "im").exec(head)?.[1];
}

async function fetchOverNntp(messageId: string, nntp: NonNullable<LoreConfig["nntp"]>, polite: Politeness): Promise<FetchedThread> {
  const client = new NntpClient(nntp.host, nntp.port, nntp.tls, polite.timeoutMs);
  return withRetry(`fetch <${messageId}> from ${client.subject}`, polite, async () => {
    try {
      await client.connect();
      const asked = await client.command(`ARTICLE <${messageId}>`);
      if (asked.code === 430) throw new PinwatchError("PW_E_SOURCE_FETCH", `no message <${messageId}> there (430)`, { subject: client.subject });
      if (asked.code !== 220 || !asked.data) throw new PinwatchError("PW_E_SOURCE_FETCH", `ARTICLE <${messageId}>: ${asked.code} ${asked.text}`, { subject: client.subject });
      const place = xref(asked.data);
      const source = place ? `${client.subject}/${place.group}` : client.subject;
      const lone = { source, messages: [{ source: `${source}#1`, bytes: lfOnly(asked.data) }] };
      if (!place) return lone;
      // The thread's root: the first reference, or the message itself.
      const root = idList(header(asked.data, "References"))[0] ?? messageId;
      const range = await client.group(place.group);
      const low = Math.max(range.low, place.number - NNTP_WINDOW_BEFORE);
      const high = Math.min(range.high, place.number + NNTP_WINDOW_AFTER);
      const over = await client.command(`OVER ${low}-${high}`);
      if (over.code !== 224 || !over.data) return lone;
      const numbers: number[] = [];
      for (const line of over.data.toString("utf8").split("\r\n")) {
        // number, subject, from, date, message-id, references, bytes, lines
        const f = line.split("\t");
        if (f.length < 6) continue;
        const id = stripAngles(f[4] ?? "");
        const refs = idList(f[5]);
        if (id === root || id === messageId || refs.includes(root) || refs.includes(messageId)) numbers.push(Number(f[0]));
      }
      const messages: RawMessage[] = [];
      for (const n of numbers) {
        const bytes = await client.article(n);
        if (bytes) messages.push({ source: `${source}:${n}`, bytes: lfOnly(bytes) });
      }
      return { source, messages: messages.length ? messages : lone.messages };
    } finally {
      await client.quit();
    }
  });
}

/** NNTP sends CRLF; the mail parser takes either, the diff parser wants LF. */
function lfOnly(bytes: Buffer): Buffer {
  return Buffer.from(bytes.toString("latin1").replace(/\r\n/g, "\n"), "latin1");
}
