// Cuts `git cat-file --batch` output ("<oid> <type> <size>\n<bytes>\n", or
// "<name> missing\n") into blobs as the pipe delivers it. A blob inside one
// chunk is a view of that chunk; only a blob cut by a chunk boundary is
// copied, once, into a buffer of its own size. Concatenating every chunk to
// its leftover copied the whole epoch a second time.
import type { Blob } from "./git.js";

export class CatFileFramer {
  /** A header line cut by a chunk boundary. */
  private headerStart: Buffer[] = [];
  /** The blob being filled across chunks, and how much of it (plus its trailing LF) has arrived. */
  private partial?: { oid: string; bytes: Buffer; filled: number };

  constructor(private readonly onBlob: (blob: Blob) => void) {}

  /** Throws on a header cat-file would not write. */
  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.partial) {
        offset = this.fill(chunk, offset);
        continue;
      }
      const newline = chunk.indexOf(0x0a, offset);
      if (newline < 0) {
        this.headerStart.push(chunk.subarray(offset));
        return;
      }
      const header = this.headerStart.length > 0
        ? Buffer.concat([...this.headerStart, chunk.subarray(offset, newline)]).toString("latin1")
        : chunk.toString("latin1", offset, newline);
      this.headerStart = [];
      offset = newline + 1;
      const oid = header.slice(0, header.indexOf(" "));
      if (header.endsWith(" missing")) {
        this.onBlob({ oid });
        continue;
      }
      const size = Number(header.slice(header.lastIndexOf(" ") + 1));
      if (!oid || !Number.isInteger(size) || size < 0) throw new Error(`unexpected cat-file header "${header.slice(0, 80)}"`);
      if (offset + size + 1 <= chunk.length) {
        this.onBlob({ oid, bytes: chunk.subarray(offset, offset + size) });
        offset += size + 1;
      } else {
        this.partial = { oid, bytes: Buffer.allocUnsafe(size), filled: 0 };
      }
    }
  }

  /** Copies what the chunk holds of the partial blob; returns the offset after it. */
  private fill(chunk: Buffer, offset: number): number {
    const p = this.partial!;
    const size = p.bytes.length;
    // The blob's bytes, then its trailing LF (counted in `filled` but not stored).
    const wanted = size + 1 - p.filled;
    const take = Math.min(wanted, chunk.length - offset);
    const into = Math.min(take, size - p.filled);
    if (into > 0) chunk.copy(p.bytes, p.filled, offset, offset + into);
    p.filled += take;
    if (p.filled === size + 1) {
      this.partial = undefined;
      this.onBlob({ oid: p.oid, bytes: p.bytes });
    }
    return offset + take;
  }
}
