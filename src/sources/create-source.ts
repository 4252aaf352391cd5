// Builds the configured source of a list.
import type { ListConfig } from "../config/schema.js";
import { AtomSource } from "./atom.js";
import { GitEpochSource } from "./git-epochs.js";
import { MailboxSource } from "./mailbox.js";
import { NntpSource } from "./nntp.js";
import type { Politeness } from "./polite.js";
import type { Source } from "./source.js";

export function createSource(list: ListConfig, context: { root: string; mirrorDir: string; polite: Politeness }): Source {
  const s = list.source;
  switch (s.type) {
    case "git":
      return new GitEpochSource(list.name, s.url, context.mirrorDir, context.polite);
    case "nntp":
      return new NntpSource(list.name, { host: s.host, port: s.port, tls: s.tls, group: s.group }, context.polite);
    case "atom":
      return new AtomSource(list.name, s.url, context.polite);
    case "mailbox":
      return new MailboxSource(list.name, s.path, context.root);
  }
}
