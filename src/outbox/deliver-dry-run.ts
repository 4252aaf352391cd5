// The dry-run delivery: every reply the store says is owed and not yet
// delivered is written into the outbox maildir, then marked delivered. The
// maildir file is named by the reply's stable Message-ID, so a crash between
// writing and marking never makes a second copy.
import type { Logger } from "../log.js";
import { deliverToMaildir } from "../reply/write-maildir.js";
import type { Store } from "../store/store.js";

export async function deliverDryRun(store: Store, outboxDir: string, log: Logger): Promise<{ written: number; alreadyThere: number }> {
  let written = 0;
  let alreadyThere = 0;
  for (const reply of await store.undeliveredReplies()) {
    const result = deliverToMaildir(outboxDir, reply.replyMessageId, reply.raw);
    if (result.written) {
      written++;
      log.info({ msgid: reply.inReplyTo, reply: reply.replyMessageId, path: result.path }, "reply written to the dry-run outbox");
    } else alreadyThere++;
    await store.markDelivered(reply.replyMessageId, new Date());
  }
  return { written, alreadyThere };
}
