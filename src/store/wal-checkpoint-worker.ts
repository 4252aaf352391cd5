// The checkpoint thread of wal-checkpointer.ts: its own connection to the
// store's file, running a PASSIVE checkpoint each time it is asked. Before
// each one it checks, as StorageGuard does, that the WAL index can still be
// written: a mapping of a file made read-only under it would end the
// process with SIGBUS.
import Database from "better-sqlite3";
import { accessSync, constants } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";

const { path } = workerData as { path: string };
const db = new Database(path);
db.pragma("busy_timeout = 10000");
// This connection only checkpoints; closing it must not try to.
db.pragma("wal_autocheckpoint = 0");

parentPort!.on("message", (request: "checkpoint" | "close") => {
  if (request === "close") {
    db.close();
    process.exit(0);
  }
  try {
    accessSync(`${path}-shm`, constants.W_OK);
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Left for the next request, or for the committing connection's close.
  }
  parentPort!.postMessage("done");
});
