// `node dist/scripts/trace-analysis.js <mail.eml> [function]`: a development
// tool that prints what the path engine observed in each analysed function
// of a patch (acquisitions, releases, exits with their states), to see why a
// rule did or did not fire.
import { readFileSync } from "node:fs";
import { analysePatch, lineOf } from "../src/analysis/analyse-patch.js";
import { initCParser } from "../src/analysis/c-parser.js";
import { loadConfig } from "../src/config/load-config.js";
import { parseMail } from "../src/mail/parse-mail.js";
import { exprText } from "../src/analysis/values.js";

const [path, only] = process.argv.slice(2);
if (!path) {
  console.error("usage: trace-analysis <mail.eml> [function]");
  process.exit(2);
}
await initCParser();
const config = loadConfig();
const mail = await parseMail({ source: path, bytes: readFileSync(path) });
const analysis = analysePatch(mail, { excludePaths: config.review.excludePaths });
console.log(`era: ${JSON.stringify(analysis.era)}`);
for (const file of analysis.files) {
  for (const side of ["new", "old"] as const) {
    for (const fa of file.functions[side]) {
      if (only && fa.view.name !== only) continue;
      console.log(`\n== ${file.path} ${side} ${fa.view.name ?? "?"} pieces=${fa.view.pieces.length} whole=${fa.view.whole} capped=${fa.capped} nodes=${fa.cfg.nodes.length}`);
      if (process.env.TRACE_CFG) {
        for (const n of fa.cfg.nodes) {
          const line = lineOf(fa, n.id);
          console.log(`   #${n.id} ${n.kind} L${line?.newLine ?? line?.oldLine ?? "?"} -> ${n.succ.join(",")} loops=${n.loops.join(",")} ${n.loopHead ?? ""} ${n.label ?? ""} states=${fa.statesAt.get(n.id) ?? 0} ${n.expr ? exprText(n.expr) : n.decl?.name ?? ""}`);
        }
      }
      for (const o of fa.observations) {
        const line = lineOf(fa, o.node);
        const where = `${line?.status ?? "?"}${line?.newLine ?? line?.oldLine ?? "?"}`;
        const objs = [...o.st.objs.values()].map((x) => `${x.site.call}#${x.site.id % 100000}:${x.status}:${x.outcome}${x.each ? `:each-${x.each.op}` : ""}${x.partly ? ":partly" : ""}`).join(" ");
        const extra = (o.k === "free" || o.k === "exit" ? `jump=${o.st.jump} ` : "") + (o.k === "release" ? `${o.call} obj=${o.obj} count=${o.count} elementwise=${o.elementwise}` : o.k === "exit" ? `failure=${o.failure} ${o.text} jump=${o.st.jump}` : o.k === "acquire" ? `${o.site.call} count=${o.site.count} flags=${JSON.stringify(o.site.flags)}` : o.k === "sleep" ? `${o.why} atomic=${o.st.atomic.map((a) => a.what)}` : "obj" in o ? `${(o as { call?: string }).call ?? ""} obj=${o.obj}` : "");
        console.log(`  ${o.k.padEnd(9)} ${where.padEnd(6)} ${extra} | ${objs}${o.st.gap ? " GAP" : ""}${process.env.TRACE_ENV ? ` env=${JSON.stringify([...o.st.env])} nulls=${[...o.st.nulls]} facts=${[...o.st.facts.keys()].filter((k) => k.startsWith("@")).join(",")}` : ""}`);
      }
    }
  }
}
