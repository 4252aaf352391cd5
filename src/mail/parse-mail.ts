// Parses raw mail bytes with mailparser into the pipeline's Mail, classifies
// it (patch, cover letter, reply, other) and collects the diff text from the
// body and from text/x-patch or text/x-diff attachments.
import addressparser from "nodemailer/lib/addressparser";
import { simpleParser, type AddressObject, type ParsedMail } from "mailparser";
import { PinwatchError, excerpt } from "../errors.js";
import type { RawMessage } from "../input/read-inputs.js";
import { decodeEncodedWords } from "./encoded-words.js";
import { inBodyFrom } from "./in-body-from.js";
import { classify, idList, messageIdOf, syntheticMessageId } from "./message-ids.js";
import { parseSubject } from "./parse-subject.js";
import type { Address, Mail } from "./types.js";

const PARSER_OPTIONS = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipImageLinks: true,
  skipTextLinks: true,
  maxHtmlLengthToParse: 0,
} as const;

/** A line that starts a unified diff. */
const DIFF_START = /^(diff --git |--- \S|Index: \S|@@ -\d)/m;

function addresses(value: AddressObject | AddressObject[] | undefined): Address[] {
  if (!value) return [];
  const objects = Array.isArray(value) ? value : [value];
  const out: Address[] = [];
  const walk = (list: AddressObject["value"]) => {
    for (const a of list) {
      if (a.group) walk(a.group);
      else if (a.address) out.push({ name: a.name ?? "", address: a.address });
    }
  };
  for (const o of objects) walk(o.value);
  return out;
}

function headerText(parsed: ParsedMail, name: string): string | undefined {
  const v = parsed.headers.get(name);
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "object" && "text" in v && typeof (v as { text: unknown }).text === "string") return (v as { text: string }).text;
  if (typeof v === "object" && "value" in v && typeof (v as { value: unknown }).value === "string") return (v as { value: string }).value;
  return String(v);
}

/**
 * A header's raw value, as written (folding undone): mailparser decodes
 * encoded words in every header, which Message-ID lists must never be.
 */
function rawHeader(parsed: ParsedMail, name: string): string[] {
  return parsed.headerLines
    .filter((h) => h.key === name)
    .map((h) => h.line.slice(h.line.indexOf(":") + 1).replace(/\r?\n(?=[ \t])/g, ""));
}

function isPatchAttachment(contentType: string, filename: string | undefined, text: string): boolean {
  if (/^text\/(x-)?(patch|diff)$/i.test(contentType)) return true;
  if (filename && /\.(patch|diff)$/i.test(filename)) return true;
  return /^text\//i.test(contentType) && DIFF_START.test(text);
}

/** The relay From: of b4's web endpoint, or a list that rewrites From (Google Groups: "'Name' via group"). */
export function isRelaySender(from: Address | undefined, endpointReceived: string | undefined): boolean {
  if (/\bB4 Relay\b/i.test(endpointReceived ?? "")) return true;
  if (!from) return false;
  return /\bvia B4 Relay$/i.test(from.name) || /^devnull\+[^@]+@kernel\.org$/i.test(from.address) || / via \S+$/.test(from.name);
}

/** The real author behind a relay's From:, from X-Original-From or else Reply-To. */
function relayAuthor(parsed: ParsedMail, from: Address | undefined): Address | undefined {
  if (!isRelaySender(from, headerText(parsed, "x-endpoint-received"))) return undefined;
  const original = headerText(parsed, "x-original-from");
  if (original) {
    const [first] = addressparser(decodeEncodedWords(original), { flatten: true });
    if (first?.address) return { name: first.name ?? "", address: first.address };
  }
  return addresses(parsed.replyTo)[0];
}

export async function parseMail(raw: RawMessage): Promise<Mail> {
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw.bytes, PARSER_OPTIONS);
  } catch (cause) {
    throw new PinwatchError("PW_E_MAIL_PARSE", `mailparser rejected the message: ${excerpt(String((cause as Error)?.message ?? cause))}`, {
      subject: raw.source,
      cause,
    });
  }
  const hasHeaders = parsed.headerLines.length > 0 && (parsed.messageId || parsed.subject || parsed.from || parsed.date);
  if (!hasHeaders) {
    throw new PinwatchError("PW_E_MAIL_PARSE", `no mail headers found (starts with "${excerpt(raw.bytes.subarray(0, 60).toString("latin1"), 40)}")`, {
      subject: raw.source,
    });
  }
  const messageId = messageIdOf(rawHeader(parsed, "message-id")[0]) ?? syntheticMessageId(raw.bytes);
  const subject = (parsed.subject ?? "").replace(/\s+/g, " ").trim();
  const tags = parseSubject(subject);
  const body = (parsed.text ?? "").replace(/\r\n/g, "\n");

  const patchParts: string[] = [];
  if (DIFF_START.test(body)) patchParts.push(body);
  for (const att of parsed.attachments ?? []) {
    const text = att.content?.toString("utf8") ?? "";
    if (isPatchAttachment(att.contentType ?? "", att.filename, text)) patchParts.push(text.replace(/\r\n/g, "\n"));
  }
  const patchText = patchParts.join("\n");
  const inReplyTo = idList(rawHeader(parsed, "in-reply-to"))[0];
  const date = parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : undefined;
  const trailer = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, "mi").exec(body)?.[1];

  const from = addresses(parsed.from)[0];
  const relay = relayAuthor(parsed, from);
  // A patch sent on someone's behalf names its author in the body, as git am reads it.
  const bodyAuthor = tags.isReply ? undefined : inBodyFrom(body);
  return {
    messageId,
    source: raw.source,
    inReplyTo,
    references: idList(rawHeader(parsed, "references")),
    subject,
    tags,
    from,
    author: bodyAuthor ?? relay ?? from,
    viaRelay: relay !== undefined,
    pinwatchKey: headerText(parsed, "x-pinwatch-key"),
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    date,
    kind: classify(tags, inReplyTo),
    body,
    patchText,
    listId: headerText(parsed, "list-id"),
    autoSubmitted: headerText(parsed, "auto-submitted"),
    xMailer: headerText(parsed, "x-mailer"),
    ccStable: /^cc:.*\bstable@(vger\.)?kernel\.org\b/im.test(body) || addresses(parsed.cc).some((a) => /^stable@(vger\.)?kernel\.org$/i.test(a.address)),
    changeId: trailer("change-id"),
    baseCommit: trailer("base-commit"),
  };
}
