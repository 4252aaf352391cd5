// Builds the configured source of a list. Each kind is loaded on demand: a
// poll of git epochs never pays for the Atom XML parser or the NNTP client.
import type { ListConfig } from "../config/schema.js";
import type { Politeness } from "./polite.js";
import type { Source } from "./source.js";

export async function createSource(list: ListConfig, context: { root: string; mirrorDir: string; polite: Politeness }): Promise<Source> {
  const s = list.source;
  switch (s.type) {
    case "git": {
      const { GitEpochSource } = await import("./git-epochs.js");
      return new GitEpochSource(list.name, s.url, context.mirrorDir, context.polite);
    }
    case "nntp": {
      const { NntpSource } = await import("./nntp.js");
      return new NntpSource(list.name, { host: s.host, port: s.port, tls: s.tls, group: s.group }, context.polite);
    }
    case "atom": {
      const { AtomSource } = await import("./atom.js");
      return new AtomSource(list.name, s.url, context.polite);
    }
    case "mailbox": {
      const { MailboxSource } = await import("./mailbox.js");
      return new MailboxSource(list.name, s.path, context.root);
    }
  }
}
