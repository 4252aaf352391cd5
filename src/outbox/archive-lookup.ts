// Asks a list's archive whether it holds a Message-ID: before an in-doubt
// reply (its send was cut off after the server may have accepted it) goes
// out again, the lists it was sent to are asked, each through the source
// it is followed by: NNTP `STAT <msgid>`, public-inbox's `/<msgid>/raw`
// over HTTP(S) for git and Atom sources, a read of a local mailbox.
import { projectRoot } from "../config/load-config.js";
import type { Config, ListConfig } from "../config/schema.js";
import { describeError } from "../errors.js";
import { scanHeaders } from "../ingest/scan-headers.js";
import { readInputs } from "../input/read-inputs.js";
import type { Logger } from "../log.js";
import { politeness, projectPath } from "../poller/poller-context.js";
import { NntpClient } from "../sources/nntp-client.js";
import { politeGet, type Politeness } from "../sources/polite.js";

/**
 * found / absent: the archive answered; unavailable: it could not be asked
 * now (down, timed out, an error): ask again later; cannot-ask: this source
 * offers no lookup (a local git directory or bundle).
 */
export type ArchiveAnswer = { answer: "found" | "absent" | "cannot-ask" } | { answer: "unavailable"; reason: string };

export type ArchiveLookup = (list: ListConfig, messageId: string) => Promise<ArchiveAnswer>;

export function createArchiveLookup(config: Pick<Config, "poller" | "bot">, log: Logger, root = projectRoot): ArchiveLookup {
  // One question per outbox run: an archive that does not answer is asked again on the next one.
  const polite: Politeness = { ...politeness(config, log), maxRetries: 0 };
  return async (list, messageId) => {
    try {
      return await ask(list, messageId, polite, root);
    } catch (err) {
      return { answer: "unavailable", reason: describeError(err) };
    }
  };
}

async function ask(list: ListConfig, messageId: string, polite: Politeness, root: string): Promise<ArchiveAnswer> {
  const s = list.source;
  switch (s.type) {
    case "nntp": {
      const client = new NntpClient(s.host, s.port, s.tls, polite.timeoutMs);
      try {
        await client.connect();
        return { answer: (await client.has(messageId)) ? "found" : "absent" };
      } finally {
        await client.quit().catch(() => undefined);
      }
    }
    case "git":
    case "atom": {
      if (!/^https?:\/\//.test(s.url)) return { answer: "cannot-ask" };
      const response = await politeGet(`${s.url.replace(/\/+$/, "")}/${encodeURIComponent(messageId)}/raw`, polite);
      if (response.status === 200) return { answer: "found" };
      if (response.status === 404) return { answer: "absent" };
      return { answer: "unavailable", reason: `the archive answered ${response.status}` };
    }
    case "mailbox": {
      for (const item of readInputs([projectPath(s.path, root)])) {
        if (item.kind === "error") return { answer: "unavailable", reason: item.error.message };
        if (scanHeaders(item.message.bytes)?.meta.messageId === messageId) return { answer: "found" };
      }
      return { answer: "absent" };
    }
  }
}

/** The followed lists a reply went to: its own list, and every list whose posting address it was sent to. */
export function listsOfReply(lists: readonly ListConfig[], reply: { list: string; recipients: readonly string[] }): ListConfig[] {
  const to = new Set(reply.recipients.map((r) => r.toLowerCase()));
  return lists.filter((l) => l.enabled && (l.name === reply.list || (l.address !== undefined && to.has(l.address.toLowerCase()))));
}
