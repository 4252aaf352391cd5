// The C parser: tree-sitter's C grammar run through web-tree-sitter (WASM, so
// no native build). It tolerates the fragments that diff hunks are: a hunk
// that starts mid-function still yields call and assignment nodes, with ERROR
// nodes only where the fragment is cut.
import { createRequire } from "node:module";
import { Language, Parser, type Node, type Tree } from "web-tree-sitter";

export type { Node, Tree };

let parser: Parser | undefined;
let loading: Promise<Parser> | undefined;

/** Loads the grammar once; call before parseC. */
export function initCParser(): Promise<Parser> {
  if (parser) return Promise.resolve(parser);
  loading ??= (async () => {
    await Parser.init();
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve("tree-sitter-c/tree-sitter-c.wasm");
    const language = await Language.load(wasmPath);
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
    return p;
  })();
  return loading;
}

export function parseC(source: string): Tree {
  if (!parser) throw new Error("initCParser() must be awaited before parseC()");
  const tree = parser.parse(source);
  if (!tree) throw new Error("tree-sitter returned no tree");
  return tree;
}
