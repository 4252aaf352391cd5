// The review worker thread: receives raw patches, answers review records.
import { parentPort, workerData } from "node:worker_threads";
import { initCParser } from "../analysis/c-parser.js";
import { subsystemLogger } from "../log.js";
import { ALL_RULES } from "../rules/index.js";
import { reviewPosting, type RawPatch } from "./review-posting.js";
import type { WorkerSetup } from "./reviewer.js";

const setup = workerData as WorkerSetup;
const context = {
  rules: ALL_RULES,
  rulesetVersion: setup.rulesetVersion,
  version: setup.version,
  config: setup.config,
  log: subsystemLogger("review", { thread: "worker" }),
  now: () => new Date(),
};

// Load the C grammar now, while the main thread starts reading.
void initCParser();

/** Reviews one request (a posting) and answers it. */
async function answer(request: { id: number; patches: RawPatch[] }): Promise<void> {
  // Buffers arrive as Uint8Arrays after the structured clone.
  const patches = request.patches.map((p) => ({ ...p, bytes: Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength) }));
  const started = performance.now();
  try {
    const records = await reviewPosting(patches, context);
    parentPort!.postMessage({ id: request.id, records, seconds: (performance.now() - started) / 1000 });
  } catch (err) {
    parentPort!.postMessage({
      id: request.id,
      records: patches.map((p) => ({
        messageId: p.messageId, rulesetVersion: setup.rulesetVersion, reviewedAt: new Date().toISOString(), findings: [],
        error: { code: "PW_E_DIFF_PARSE", message: `${p.source}: ${(err as Error)?.message ?? err}` },
      })),
    });
  }
}

// One posting at a time, in the order sent: reviewPosting awaits the MIME
// parse, and started all at once, every posting read ahead was parsed and
// held in memory together. The reviews take the same time either way (they
// share one thread); their results do not depend on the order.
let queue = Promise.resolve();
parentPort!.on("message", (request: { id: number; patches: RawPatch[] }) => {
  queue = queue.then(() => answer(request));
});
