// Finds the review of a patch's closest earlier version: the same author and
// title at a lower or equal version, the patch it was sent in reply to (a
// partial reroll), the same index in an earlier posting with the same b4
// change-id, or an earlier message with the same patch-id (a RESEND).
import type Database from "better-sqlite3";
import { loreLink } from "../review/lineage.js";
import type { LineageKeys, PriorFinding, PriorReview } from "../review/lineage.js";

type Row = Record<string, unknown>;

/** A backfill asks once per reviewed patch: the statements are prepared once per database. */
const prepared = new WeakMap<Database.Database, ReturnType<typeof prepare>>();

function prepare(db: Database.Database) {
  return {
    changeId: db.prepare("SELECT change_id FROM messages WHERE message_id = ?"),
    closest: db.prepare(
      `SELECT m.message_id, m.version, r.review_id, r.gup_digest FROM messages m JOIN reviews r ON r.message_id = m.message_id
       WHERE m.message_id != @messageId AND m.kind = 'patch' AND m.deleted_at IS NULL AND r.error_code IS NULL AND m.version <= @version AND (
         (m.from_address = @fromAddress AND m.title = @title)
         OR m.message_id = @inReplyTo
         OR m.patch_id = @patchId
         OR (@changeId IS NOT NULL AND m.series_index = @index
             AND m.thread_root IN (SELECT c.message_id FROM messages c WHERE c.change_id = @changeId AND c.message_id != @threadRoot)))
       ORDER BY m.version DESC, COALESCE(m.date, r.reviewed_at) DESC, r.review_id DESC LIMIT 1`,
    ),
    // The reply a "still present" line may point to: the first one mailed (SMTP, or echoed by a list)
    // to any version that carried the finding. Held, dry-run and unsent replies reached nobody.
    findings: db.prepare(
      `SELECT f.fingerprint, f.rule, COALESCE(f.first_version, @version) AS first_version, COALESCE(f.first_message_id, f.message_id) AS first_message_id,
         (SELECT o.reply_message_id || ' ' || COALESCE(cm.version, 1) FROM findings c
            JOIN outbox o ON o.in_reply_to = c.message_id AND o.kind = 'reply' AND o.state = 'sent' AND o.delivered_via IN ('smtp', 'archive')
            LEFT JOIN messages cm ON cm.message_id = c.message_id
          WHERE c.fingerprint = f.fingerprint AND c.mailable = 1 AND COALESCE(c.first_message_id, c.message_id) = COALESCE(f.first_message_id, f.message_id)
          ORDER BY o.sent_at, o.outbox_id LIMIT 1) AS first_reply,
         (SELECT o.state FROM outbox o WHERE o.in_reply_to = COALESCE(f.first_message_id, f.message_id) AND o.kind = 'reply') AS first_reply_state
       FROM findings f WHERE f.review_id = @reviewId AND f.mailable = 1`,
    ),
  };
}

export function priorReview(db: Database.Database, keys: LineageKeys): PriorReview | undefined {
  let statements = prepared.get(db);
  if (!statements) prepared.set(db, (statements = prepare(db)));
  const changeId = keys.threadRoot ? ((statements.changeId.get(keys.threadRoot) as Row | undefined)?.change_id as string | null | undefined) : undefined;
  const candidates = statements.closest.get({
    messageId: keys.messageId, version: keys.version, fromAddress: keys.fromAddress ?? null, title: keys.title,
    inReplyTo: keys.inReplyTo ?? null, patchId: keys.patchId ?? null, changeId: changeId ?? null, index: keys.index ?? null,
    threadRoot: keys.threadRoot ?? null,
  }) as Row | undefined;
  if (!candidates) return undefined;
  const version = candidates.version as number;
  const findings = (statements.findings.all({ reviewId: candidates.review_id, version }) as Row[]).map((r): PriorFinding => {
    const [replyId, replyVersion] = r.first_reply ? (r.first_reply as string).split(" ") : [];
    return {
      fingerprint: r.fingerprint as string,
      rule: r.rule as string,
      firstVersion: r.first_version as number,
      firstMessageId: r.first_message_id as string,
      firstReplyUrl: replyId ? loreLink(replyId) : undefined,
      firstReplyVersion: replyVersion ? Number(replyVersion) : undefined,
      rejectedByModerator: r.first_reply_state === "rejected",
    };
  });
  return { messageId: candidates.message_id as string, version, findings, gupDigest: (candidates.gup_digest as string | null) ?? undefined };
}
