// The HTTP fallback: <url>/new.atom (conditional GET with ETag and
// Last-Modified) says what arrived, <url>/<msgid>/raw gives each message.
// new.atom holds only the newest entries (25 on public-inbox's default), so
// when none of them was seen before, the window may have overflowed and the
// missing span is read from the search feed (?q=dt:START..&x=A, 200 per
// page). The cursor is JSON: the newest date processed, the Message-IDs
// seen recently, and the validators of the last feed fully processed.
import { XMLParser } from "fast-xml-parser";
import { PinwatchError, RetryableError } from "../errors.js";
import { messagesFromBytes } from "../input/read-inputs.js";
import type { Logger } from "../log.js";
import { politeGet, withRetry, type Politeness } from "./polite.js";
import type { FetchOptions, ReadOptions, Source, SourceMessage } from "./source.js";

interface AtomCursor {
  updated?: string;
  recent: string[];
  etag?: string;
  lastModified?: string;
}

interface AtomEntry {
  messageId: string;
  updated: string;
}

const RECENT_KEPT = 500;
const SEARCH_PAGE = 200;

const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === "entry" || name === "link" });

/** Message-ID from an entry link: <url>/<escaped msgid>/ */
function messageIdFromLink(href: string, base: string): string | undefined {
  const path = href.startsWith(base) ? href.slice(base.length) : new URL(href).pathname.split("/").slice(2).join("/");
  const trimmed = path.replace(/^\/+/, "").replace(/\/+(#.*)?$/, "");
  if (!trimmed) return undefined;
  try {
    return decodeURIComponent(trimmed);
  } catch {
    return trimmed;
  }
}

function parseAtom(xml: string, base: string): AtomEntry[] {
  let doc: { feed?: { entry?: { updated?: string; link?: { "@_href"?: string }[] }[] } };
  try {
    doc = parser.parse(xml) as typeof doc;
  } catch (cause) {
    throw new RetryableError("PW_E_SOURCE_FORMAT", "the feed is not XML", { subject: base, cause });
  }
  if (!doc.feed) throw new RetryableError("PW_E_SOURCE_FORMAT", "not an Atom feed", { subject: base });
  const entries: AtomEntry[] = [];
  for (const e of doc.feed.entry ?? []) {
    const href = e.link?.[0]?.["@_href"];
    const messageId = href ? messageIdFromLink(href, base) : undefined;
    if (messageId) entries.push({ messageId, updated: String(e.updated ?? "") });
  }
  return entries;
}

function parseCursor(cursor: string | undefined): AtomCursor {
  if (!cursor) return { recent: [] };
  try {
    const c = JSON.parse(cursor) as AtomCursor;
    return { ...c, recent: Array.isArray(c.recent) ? c.recent : [] };
  } catch {
    return { recent: [] };
  }
}

/** public-inbox's dt: prefix takes YYYYMMDDhhmmss (UTC). */
function dtStamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

export class AtomSource implements Source {
  readonly type = "atom" as const;
  readonly id: string;
  private readonly base: string;
  private readonly log: Logger;
  private feed?: { entries: AtomEntry[]; etag?: string; lastModified?: string; notModified: boolean };

  constructor(
    readonly list: string,
    url: string,
    private readonly polite: Politeness,
  ) {
    this.id = `${list}:atom`;
    this.base = url.replace(/\/+$/, "");
    this.log = polite.log.child({ source: this.id });
  }

  private get(url: string, headers: Record<string, string> = {}, signal?: AbortSignal) {
    return withRetry(`${this.id} GET ${url}`, this.polite, () => politeGet(url, this.polite, headers, signal), signal);
  }

  /** Reads new.atom, conditionally on the validators stored in `cursor`. */
  async fetch({ signal, cursor }: FetchOptions = {}): Promise<void> {
    const c = parseCursor(cursor);
    const headers: Record<string, string> = {};
    if (c.etag) headers["if-none-match"] = c.etag;
    if (c.lastModified) headers["if-modified-since"] = c.lastModified;
    const url = `${this.base}/new.atom`;
    const r = await this.get(url, headers, signal);
    if (r.status === 304) {
      this.feed = { entries: [], etag: c.etag, lastModified: c.lastModified, notModified: true };
      return;
    }
    if (r.status === 404) throw new PinwatchError("PW_E_SOURCE_FETCH", "no such list (404)", { subject: url });
    this.feed = {
      entries: parseAtom(r.body.toString("utf8"), this.base),
      etag: r.headers.get("etag") ?? undefined,
      lastModified: r.headers.get("last-modified") ?? undefined,
      notModified: false,
    };
  }

  /** Every entry dated from `start` on, oldest first, from the search feed. */
  private async searchSince(start: Date, signal?: AbortSignal): Promise<AtomEntry[]> {
    const all: AtomEntry[] = [];
    for (let offset = 0; ; offset += SEARCH_PAGE) {
      const url = `${this.base}/?q=${encodeURIComponent(`dt:${dtStamp(start)}..`)}&x=A&o=${offset}`;
      const r = await this.get(url, {}, signal);
      // public-inbox answers 404 when a search has no hits.
      if (r.status === 404) break;
      const page = parseAtom(r.body.toString("utf8"), this.base);
      all.push(...page);
      if (page.length < SEARCH_PAGE) break;
    }
    return all.reverse();
  }

  async *read(cursor: string | undefined, options: ReadOptions = {}): AsyncGenerator<SourceMessage> {
    const c = parseCursor(cursor);
    if (!this.feed) await this.fetch({ signal: options.signal, cursor });
    const feed = this.feed!;
    this.feed = undefined;
    const recent = new Set(c.recent);
    let entries: AtomEntry[];
    if (options.since) {
      entries = await this.searchSince(options.since, options.signal);
    } else if (feed.notModified) {
      entries = [];
    } else {
      entries = [...feed.entries].reverse();
      const overlap = entries.some((e) => recent.has(e.messageId));
      if (c.updated && !overlap && entries.length > 0) {
        // Nothing in the window was seen before: what fell out of it comes from search.
        this.log.warn({ since: c.updated }, "new.atom window overflowed since the last poll; reading the gap from the search feed");
        const from = new Date(Date.parse(c.updated) - 24 * 3600 * 1000);
        const gap = await this.searchSince(from, options.signal);
        const inFeed = new Set(entries.map((e) => e.messageId));
        entries = [...gap.filter((e) => !inFeed.has(e.messageId)), ...entries];
      }
    }
    const fresh = entries.filter((e) => !recent.has(e.messageId));
    options.onTotal?.(fresh.length);
    let updated = c.updated;
    const seen = [...c.recent];
    for (let i = 0; i < fresh.length; i++) {
      if (options.signal?.aborted) return;
      const entry = fresh[i]!;
      const url = `${this.base}/${encodeURIComponent(entry.messageId)}/raw`;
      const r = await this.get(url, {}, options.signal);
      seen.push(entry.messageId);
      if (!updated || entry.updated > updated) updated = entry.updated;
      const last = i === fresh.length - 1;
      // The feed's validators are kept only once all of its entries are stored.
      const next: AtomCursor = { updated, recent: seen.slice(-RECENT_KEPT), ...(last ? { etag: feed.etag, lastModified: feed.lastModified } : {}) };
      const position = `${this.list} ${url}`;
      if (r.status === 404) {
        yield { cursor: JSON.stringify(next), position, bytes: Buffer.alloc(0), error: new PinwatchError("PW_E_SOURCE_FETCH", "listed in the feed but /raw is 404 (deleted?)", { subject: url }) };
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = messagesFromBytes(r.body, url)[0]!.bytes;
      } catch (error) {
        yield { cursor: JSON.stringify(next), position, bytes: Buffer.alloc(0), error: error as PinwatchError };
        continue;
      }
      yield { cursor: JSON.stringify(next), position, bytes };
    }
  }

  async close(): Promise<void> {}
}
