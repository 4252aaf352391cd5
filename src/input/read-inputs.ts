// Turns the paths given on the command line into raw messages: a single
// .eml, an mbox (gzip accepted), a maildir, a directory of those, or "-" for
// stdin. Unreadable inputs become coded errors; reading goes on.
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { PinwatchError } from "../errors.js";
import { looksLikeMbox, MboxSplitter, splitMbox } from "./split-mbox.js";

export interface RawMessage {
  /** Where it came from: a path, "path#N" for the Nth message of an mbox. */
  source: string;
  bytes: Buffer;
}

export type InputItem = { kind: "message"; message: RawMessage } | { kind: "error"; error: PinwatchError };

const MAIL_FILE = /\.(eml|mbox|mbx|msg|patch|mail|gz)$/i;

function gunzipIfNeeded(bytes: Buffer, source: string): Buffer {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes);
    } catch (cause) {
      throw new PinwatchError("PW_E_INPUT_FORMAT", "gzip data is corrupt or truncated", { subject: source, cause });
    }
  }
  return bytes;
}

/** Splits one file's bytes into messages. */
export function messagesFromBytes(raw: Buffer, source: string): RawMessage[] {
  const bytes = gunzipIfNeeded(raw, source);
  if (bytes.length === 0 || /^\s*$/.test(bytes.subarray(0, 4096).toString("latin1"))) {
    throw new PinwatchError("PW_E_INPUT_FORMAT", "the input is empty", { subject: source });
  }
  if (looksLikeMbox(bytes)) {
    const parts = splitMbox(bytes);
    if (parts.length === 1) return [{ source, bytes: parts[0]! }];
    return parts.map((part, i) => ({ source: `${source}#${i + 1}`, bytes: part }));
  }
  return [{ source, bytes }];
}

function isMaildir(path: string): boolean {
  try {
    return statSync(join(path, "cur")).isDirectory() || statSync(join(path, "new")).isDirectory();
  } catch {
    return false;
  }
}

function* readMaildir(path: string): Generator<InputItem> {
  for (const sub of ["new", "cur"]) {
    let names: string[];
    try {
      names = readdirSync(join(path, sub)).filter((n) => !n.startsWith(".")).sort();
    } catch {
      continue;
    }
    for (const name of names) yield* readFileItems(join(path, sub, name));
  }
}

function* readDirectory(path: string): Generator<InputItem> {
  let names: string[];
  try {
    names = readdirSync(path).sort();
  } catch (cause) {
    yield { kind: "error", error: new PinwatchError("PW_E_INPUT_READ", "cannot list the directory", { subject: path, cause }) };
    return;
  }
  for (const name of names) {
    if (name.startsWith(".")) continue;
    const full = join(path, name);
    let st: Stats;
    try {
      st = statSync(full);
    } catch {
      continue;
    }
    if (st.isDirectory()) yield* isMaildir(full) ? readMaildir(full) : readDirectory(full);
    else if (MAIL_FILE.test(name)) yield* readFileItems(full);
  }
}

function* itemsFromBytes(bytes: Buffer, source: string): Generator<InputItem> {
  try {
    for (const message of messagesFromBytes(bytes, source)) yield { kind: "message", message };
  } catch (err) {
    yield { kind: "error", error: toInputError(err, source) };
  }
}

/** How much of a file is read at a time: an mbox (a list's whole archive, say) is never held whole. */
const CHUNK_BYTES = 1 << 20;

function* readFileItems(path: string): Generator<InputItem> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (cause) {
    yield { kind: "error", error: new PinwatchError("PW_E_INPUT_READ", "cannot read the file", { subject: path, cause }) };
    return;
  }
  try {
    const readChunk = () => {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      return chunk.subarray(0, readSync(fd, chunk, 0, CHUNK_BYTES, null));
    };
    const first = readChunk();
    const gzip = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
    if (gzip || !looksLikeMbox(first) || first.length < CHUNK_BYTES) {
      // A single message, a gzip'ed file (gunzipped whole) or a file that fits in one chunk.
      const rest: Buffer[] = [first];
      for (let chunk = first; chunk.length === CHUNK_BYTES; ) rest.push((chunk = readChunk()));
      yield* itemsFromBytes(Buffer.concat(rest), path);
      return;
    }
    yield* streamMbox(first, readChunk, path);
  } catch (err) {
    yield { kind: "error", error: toInputError(err, path) };
  } finally {
    closeSync(fd);
  }
}

/** An mbox larger than a chunk, split as it is read; messages are named as messagesFromBytes names them. */
function* streamMbox(first: Buffer, readChunk: () => Buffer, path: string): Generator<InputItem> {
  const splitter = new MboxSplitter();
  // The first message is held until a second exists: an mbox of one message is named by its path alone.
  let held: Buffer | undefined;
  let n = 0;
  function* named(messages: Buffer[]): Generator<InputItem> {
    for (const bytes of messages) {
      if (n === 0 && !held) {
        held = bytes;
        continue;
      }
      if (held) {
        yield { kind: "message", message: { source: `${path}#${++n}`, bytes: held } };
        held = undefined;
      }
      yield { kind: "message", message: { source: `${path}#${++n}`, bytes } };
    }
  }
  for (let chunk = first; chunk.length > 0; chunk = readChunk()) yield* named(splitter.push(chunk));
  yield* named(splitter.end());
  if (held) yield { kind: "message", message: { source: path, bytes: held } };
}

function toInputError(err: unknown, source: string): PinwatchError {
  if (err instanceof PinwatchError) return err;
  return new PinwatchError("PW_E_INPUT_READ", String(err), { subject: source, cause: err });
}

/** Reads every path in order; "-" reads `stdin` (passed in for testability). */
export function* readInputs(paths: string[], stdin: () => Buffer = () => readFileSync(0)): Generator<InputItem> {
  for (const path of paths) {
    if (path === "-") {
      let bytes: Buffer;
      try {
        bytes = stdin();
      } catch (cause) {
        yield { kind: "error", error: new PinwatchError("PW_E_INPUT_READ", "cannot read standard input", { subject: "<stdin>", cause }) };
        continue;
      }
      yield* itemsFromBytes(bytes, "<stdin>");
      continue;
    }
    let st: Stats;
    try {
      st = statSync(path);
    } catch (cause) {
      yield { kind: "error", error: new PinwatchError("PW_E_INPUT_READ", "no such file or directory", { subject: path, cause }) };
      continue;
    }
    if (st.isDirectory()) yield* isMaildir(path) ? readMaildir(path) : readDirectory(path);
    else yield* readFileItems(path);
  }
}
