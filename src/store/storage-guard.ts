// Keeps the SQLite store's failures coded and survivable. Before each use
// the database file is checked: gone or replaced (writes would land in an
// unlinked file and be lost) is PW_E_STORE_GONE; a file that can no longer
// be written (immutable, a read-only filesystem) is PW_E_STORE_READONLY.
// The check of the WAL index (-shm) matters most: SQLite maps it into
// memory, and writing to a mapping of a file made immutable kills the
// process with SIGBUS, which no JavaScript can catch. access(2) asks
// without opening the file (closing a second descriptor of a file would
// drop SQLite's POSIX locks on it). A file changed in the instant between
// the check and the write can still end in SIGBUS; the check makes that
// window a few microseconds wide. SQLite's own storage errors (disk full,
// I/O, read-only, damaged) become coded errors naming the file.
import { accessSync, constants, statSync } from "node:fs";
import { PinwatchError } from "../errors.js";

export function isStorageError(err: unknown): err is PinwatchError {
  return err instanceof PinwatchError && err.code.startsWith("PW_E_STORE");
}

let abandoned = false;

/**
 * True once a database of this process failed under it. It must then not
 * be closed, now or at exit (better-sqlite3 closes open databases when
 * Node tears down, and closing checkpoints through the WAL index): the
 * process ends with process.exit(), which skips that.
 */
export function databaseAbandoned(): boolean {
  return abandoned;
}

/** For a database that failed while being opened. */
export function abandonDatabase(): void {
  abandoned = true;
}

export class StorageGuard {
  private readonly identity?: { dev: number; ino: number };
  /** The storage error this database met; from then on it is left alone. */
  failed?: PinwatchError;

  constructor(private readonly path: string) {
    if (path !== ":memory:") {
      const s = statSync(path);
      this.identity = { dev: s.dev, ino: s.ino };
    }
  }

  /** Runs a read: only the WAL index is checked (reads write to it too). */
  read<T>(fn: () => T): T {
    return this.guarded(() => {
      this.checkWritable(`${this.path}-shm`);
      return fn();
    });
  }

  /** Runs a write: the file must still be the one opened, and writable, with its WAL and index. */
  write<T>(fn: () => T): T {
    return this.guarded(() => {
      this.checkFile();
      return fn();
    });
  }

  /** The database file is still the one opened, and it and its WAL and index can be written. */
  check(): void {
    this.guarded(() => this.checkFile());
  }

  private checkFile(): void {
    if (!this.identity) return;
    let now;
    try {
      now = statSync(this.path);
    } catch {
      throw new PinwatchError("PW_E_STORE_GONE", "the database file was removed or moved while pinwatch used it; nothing more is written (restore it, or start again with a new one)", { subject: this.path });
    }
    if (now.dev !== this.identity.dev || now.ino !== this.identity.ino) {
      throw new PinwatchError("PW_E_STORE_GONE", "the database file was replaced while pinwatch used it; nothing more is written to the old one (restart pinwatch)", { subject: this.path });
    }
    for (const file of [this.path, `${this.path}-wal`, `${this.path}-shm`]) this.checkWritable(file);
  }

  private checkWritable(file: string): void {
    if (!this.identity) return;
    try {
      accessSync(file, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return; // the WAL and its index come and go
      throw new PinwatchError("PW_E_STORE_READONLY", `the database can no longer be written (${code === "EPERM" ? "the file is immutable" : code === "EROFS" ? "the filesystem is read-only" : code}): stopping before SQLite touches it`, { subject: file, cause: err });
    }
  }

  private guarded<T>(fn: () => T): T {
    if (this.failed) throw this.failed;
    try {
      return fn();
    } catch (err) {
      let coded = storageError(this.path, err);
      // An I/O error from SQLite says little: a file made read-only, or removed, says why.
      if (isStorageError(coded) && coded.code === "PW_E_STORE") {
        try {
          this.checkFile();
        } catch (why) {
          coded = why;
        }
      }
      if (isStorageError(coded)) {
        this.failed = coded;
        abandoned = true;
      }
      throw coded;
    }
  }
}

/** SQLite's storage failures as pinwatch's codes, naming the file; anything else (a constraint, a lock, an outbox decision refused) passes unchanged. */
export function storageError(path: string, err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return err;
  const says = `${code}: ${(err as Error).message}`;
  const coded = (c: "PW_E_STORE" | "PW_E_STORE_FULL" | "PW_E_STORE_READONLY", what: string) => new PinwatchError(c, `${what} (${says})`, { subject: path, cause: err });
  if (code === "SQLITE_FULL") return coded("PW_E_STORE_FULL", "the disk holding the database is full: nothing of this batch was stored; free space, then start again");
  if (code.startsWith("SQLITE_READONLY")) return coded("PW_E_STORE_READONLY", "the database can no longer be written");
  if (code.startsWith("SQLITE_IOERR") || code === "SQLITE_CANTOPEN") return coded("PW_E_STORE", "the database could not be read or written: the disk may be full, read-only or failing");
  if (code === "SQLITE_CORRUPT" || code === "SQLITE_NOTADB") return coded("PW_E_STORE", "the database file is damaged");
  // A lock held too long or a constraint broken is no failure of the storage: left as it is.
  return err;
}
