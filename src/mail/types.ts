// The parsed form of one email, shared by the whole pipeline.
import type { SubjectTags } from "./parse-subject.js";

export interface Address {
  name: string;
  address: string;
}

export type MailKind = "patch" | "cover" | "reply" | "other";

export interface Mail {
  /** Without angle brackets. */
  messageId: string;
  /** Where the message was read from. */
  source: string;
  inReplyTo?: string;
  references: string[];
  subject: string;
  tags: SubjectTags;
  from?: Address;
  /**
   * Who wrote the patch: the body's in-body From: when there is one (as
   * git am reads it; the sender is then someone else, Cc'd on replies),
   * else From, unless From is a relay (b4's web relay, "Name via B4 Relay
   * <devnull+...@kernel.org>", or a group that rewrites From) that names the
   * real author in X-Original-From or Reply-To.
   */
  author?: Address;
  /** From: is a relay's address, not the author's. */
  viaRelay: boolean;
  /** Set on pinwatch's own replies (X-Pinwatch-Key). */
  pinwatchKey?: string;
  to: Address[];
  cc: Address[];
  date?: Date;
  kind: MailKind;
  /** The plain-text body, attachments excluded. */
  body: string;
  /** Every unified diff found in the body and in patch attachments. */
  patchText: string;
  /** Header values the reply logic needs (lower-case names). */
  listId?: string;
  autoSubmitted?: string;
  xMailer?: string;
  /** Trailers and footers that describe the target tree. */
  ccStable: boolean;
  changeId?: string;
  baseCommit?: string;
}
