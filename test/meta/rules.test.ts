// Parity checks (after ESLint's checkRuleFiles and fastify's errors test):
// every rule file is registered under its own id, has a test file, a valid
// category and a docs.kernel.org citation; every error code is documented.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ERROR_CODES } from "../../src/errors.js";
import { RULES } from "../../src/rules/index.js";
import { CATEGORIES } from "../../src/rules/types.js";
import { ROOT } from "../helpers/fixtures.js";

const ruleFiles = readdirSync(join(ROOT, "src", "rules"))
  .filter((f) => f.endsWith(".ts") && f !== "index.ts" && f !== "types.ts")
  .map((f) => f.replace(/\.ts$/, ""));

test("every rule file is registered under its own id, sorted", () => {
  assert.deepEqual(Object.keys(RULES), [...ruleFiles].sort());
  for (const [id, rule] of Object.entries(RULES)) assert.equal(rule.meta.id, id);
});

test("every rule has a test file", () => {
  for (const id of Object.keys(RULES)) assert.ok(existsSync(join(ROOT, "test", "rules", `${id}.test.ts`)), `test/rules/${id}.test.ts`);
});

test("every rule declares a known category, severity, messages and a docs.kernel.org citation", () => {
  for (const rule of Object.values(RULES)) {
    assert.ok((CATEGORIES as readonly string[]).includes(rule.meta.category), rule.meta.id);
    assert.ok(["error", "warning", "info"].includes(rule.meta.severity));
    assert.ok(Object.keys(rule.meta.messages).length > 0);
    assert.match(rule.meta.citation.url, /^https:\/\/docs\.kernel\.org\//);
    assert.ok(rule.meta.citation.title.length > 0);
    for (const c of rule.meta.cases) assert.match(c, /^(case[1-5]|basics)$/);
  }
});

test("every error code is in the README's error table", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  for (const code of Object.keys(ERROR_CODES)) assert.match(readme, new RegExp(`\\| \`${code}\` \\|`), code);
});

test("every category in the README table exists, and only those", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const listed = [...readme.matchAll(/^\| `([a-z-]+)` \| (?:[^|]*) \| (?:[^|]*) \|$/gm)].map((m) => m[1]).filter((c) => !c!.startsWith("PW"));
  assert.deepEqual(listed.filter((c) => (CATEGORIES as readonly string[]).includes(c!)).sort(), [...CATEGORIES].sort());
});

test("every rule has docs/rules/<id>.md with its sections, category and citation, and every page has a rule", () => {
  const pages = readdirSync(join(ROOT, "docs", "rules")).filter((f) => f.endsWith(".md")).map((f) => f.replace(/\.md$/, ""));
  assert.deepEqual(pages.sort(), Object.keys(RULES).sort());
  for (const [id, rule] of Object.entries(RULES)) {
    const doc = readFileSync(join(ROOT, "docs", "rules", `${id}.md`), "utf8");
    assert.match(doc, new RegExp(`^# ${id}\\n`), `${id}: title`);
    for (const section of ["What it checks", "Why", "Bad", "Good", "Known limits"]) {
      assert.ok(doc.includes(`## ${section}`), `${id}: section ${section}`);
    }
    assert.ok(doc.includes(`**Category** ${rule.meta.category}`), `${id}: category`);
    assert.ok(doc.includes(`**Severity** ${rule.meta.severity}`), `${id}: severity`);
    assert.ok(doc.includes(rule.meta.citation.url), `${id}: cites ${rule.meta.citation.url}`);
  }
});

test("every finding category is covered by at least one rule", () => {
  const covered = new Set(Object.values(RULES).map((r) => r.meta.category));
  assert.deepEqual([...CATEGORIES].filter((c) => !covered.has(c)), []);
});

test("the README's rule table lists every rule", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  for (const id of Object.keys(RULES)) assert.match(readme, new RegExp(`^\\| \\[\`${id}\`\\]\\(docs/rules/${id}\\.md\\) \\|`, "m"), id);
});

test("rule files hold no API knowledge or mail evidence of their own: no regular expressions, API or flag names, Message-IDs, dates or reviewers' words", async () => {
  // The API-effects table (src/api/effects.ts) is the one place that knows
  // names; a rule that matches a name or a shape of text is a second list
  // that drifts from it. Message templates may mention names inside prose.
  const ts = (await import("typescript")).default;
  const { apiRow } = await import("../../src/api/catalog.js");
  for (const id of ruleFiles) {
    const path = join(ROOT, "src", "rules", `${id}.ts`);
    const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
    const problems: string[] = [];
    const visit = (node: import("typescript").Node): void => {
      if (ts.isRegularExpressionLiteral(node)) problems.push(`regular expression ${node.text}`);
      if (ts.isNewExpression(node) && node.expression.getText(source) === "RegExp") problems.push("new RegExp()");
      if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && apiRow(node.text)) problems.push(`API name "${node.text}"`);
      // Evidence from one mail (a Message-ID, a date, who said what on the list) belongs in the labels, not in a rule.
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateMiddle(node) || ts.isTemplateHead(node) || ts.isTemplateTail(node)) {
        const text = node.text;
        if (/<?[\w.+-]+@[\w-]+\.[\w.-]+>?/.test(text)) problems.push(`Message-ID or address "${text}"`);
        if (/\b(19|20)\d\d-\d\d-\d\d\b|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* (19|20)\d\d\b/.test(text)) problems.push(`date "${text}"`);
        if (/\b(argued|said|wrote|suggested|pointed out) (on the list|in review)\b/.test(text)) problems.push(`a reviewer's words "${text}"`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    assert.deepEqual(problems, [], `src/rules/${id}.ts`);
  }
});
