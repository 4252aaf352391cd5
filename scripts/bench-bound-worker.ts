// The lower bound's review thread (see bench-bound.ts): the libraries'
// share of a review and nothing else. mailparser and parse-diff on each
// patch; tree-sitter on the new side of each hunk that names a GUP symbol
// (pinwatch's catalog of them). With `engine`, each patch gets instead what
// the review engine does to it: pinwatch's parse and reviewMail() with every
// rule (the patch alone: no series, no earlier version, no reply).
import { simpleParser } from "mailparser";
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import parseDiff from "parse-diff";
import { Language, Parser } from "web-tree-sitter";
import { mentionsGupApi } from "../src/api/catalog.js";
import { initCParser } from "../src/analysis/c-parser.js";
import { loadConfig } from "../src/config/load-config.js";
import { parseMail } from "../src/mail/parse-mail.js";
import { reviewMail } from "../src/review/review-mail.js";
import { ALL_RULES } from "../src/rules/index.js";

const { parseC, engine, expected } = workerData as { parseC: boolean; engine?: boolean; expected: number };
const config = engine ? loadConfig() : undefined;

const parser = parseC && !engine
  ? (async () => {
      await Parser.init();
      const language = await Language.load(createRequire(import.meta.url).resolve("tree-sitter-c/tree-sitter-c.wasm"));
      const p = new Parser();
      p.setLanguage(language);
      return p;
    })()
  : Promise.resolve(undefined);

async function review(bytes: Buffer): Promise<void> {
  if (config) {
    await initCParser();
    reviewMail(await parseMail({ source: "bound", bytes }), { rules: ALL_RULES, config });
    return;
  }
  const mail = await simpleParser(bytes, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true, maxHtmlLengthToParse: 0 });
  const c = await parser;
  for (const file of parseDiff(mail.text ?? "")) {
    for (const chunk of file.chunks) {
      if (!c || !chunk.changes.some((change) => mentionsGupApi(change.content))) continue;
      const tree = c.parse(chunk.changes.filter((change) => change.type !== "del").map((change) => change.content.slice(1)).join("\n"));
      tree?.delete();
    }
  }
}

let done = 0;
let queue = Promise.resolve();
if (expected === 0) parentPort!.postMessage("done");
parentPort!.on("message", (bytes: Uint8Array) => {
  queue = queue
    .then(async () => {
      await review(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (++done === expected) parentPort!.postMessage("done");
    })
    .catch((err: unknown) => parentPort!.postMessage({ error: String((err as Error)?.stack ?? err) }));
});
