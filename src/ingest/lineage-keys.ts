// The keys that find a patch's earlier version (src/review/lineage.ts), read
// from the raw message on the main thread so the store can be asked before
// the patch goes to review.
import libqp from "libqp";
import { patchId } from "../diff/patch-id.js";
import type { LineageKeys } from "../review/lineage.js";
import type { MessageMeta } from "../store/store.js";
import { transferEncoding } from "./prefilter.js";
import { scanHeaders } from "./scan-headers.js";

/** The patch-id of a raw message's body; undefined when base64 hides the diff. */
function rawPatchId(bytes: Buffer, bodyOffset: number): string | undefined {
  const encoding = transferEncoding(bytes, bodyOffset);
  if (encoding === "base64") return undefined;
  const body = bytes.subarray(bodyOffset);
  return patchId(encoding === "quoted-printable" ? libqp.decode(body.toString("latin1")).toString("utf8") : body.toString("utf8"));
}

/** b4 writes "change-id: ..." at the end of a cover letter. */
export function rawChangeId(bytes: Buffer, bodyOffset: number): string | undefined {
  return /^change-id:\s*(\S+)/im.exec(bytes.toString("latin1", bodyOffset))?.[1];
}

export function lineageKeys(meta: MessageMeta, bytes: Buffer, bodyOffset: number): LineageKeys {
  return {
    messageId: meta.messageId,
    fromAddress: meta.fromAddress,
    title: meta.title,
    version: meta.version,
    index: meta.index,
    inReplyTo: meta.inReplyTo,
    threadRoot: meta.threadRoot,
    patchId: rawPatchId(bytes, bodyOffset),
  };
}

/** For a patch read back from the store (pending across a restart). */
export function lineageKeysOfRaw(messageId: string, bytes: Buffer): LineageKeys | undefined {
  const scan = scanHeaders(bytes);
  return scan ? lineageKeys({ ...scan.meta, messageId }, bytes, scan.bodyOffset) : undefined;
}
