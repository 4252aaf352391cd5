// A RuleTester in ESLint's shape: each rule is run over valid hunks (must
// stay silent) and invalid hunks (must report exactly the listed message ids
// on the listed new-file lines). Cases are full diffs of one or more files.
import assert from "node:assert/strict";
import { test } from "node:test";
import { initCParser } from "../../src/analysis/c-parser.js";
import { configSchema } from "../../src/config/schema.js";
import { parseSubject } from "../../src/mail/parse-subject.js";
import type { Mail } from "../../src/mail/types.js";
import { reviewMail } from "../../src/review/review-mail.js";
import type { Finding } from "../../src/review/types.js";
import type { Rule } from "../../src/rules/types.js";

export interface CaseOptions {
  subject?: string;
  date?: string;
}

export interface ValidCase extends CaseOptions {
  name: string;
  diff: string;
}

export interface InvalidCase extends ValidCase {
  errors: { messageId: string; line: number; severity?: string }[];
}

export function mailFromDiff(diff: string, options: CaseOptions = {}): Mail {
  const subject = options.subject ?? "[PATCH] test: a change";
  return {
    messageId: "test@pinwatch.test",
    source: "test",
    references: [],
    viaRelay: false,
    subject,
    tags: parseSubject(subject),
    from: { name: "Test Author", address: "author@example.org" },
    to: [],
    cc: [],
    date: new Date(options.date ?? "2025-06-01T00:00:00Z"),
    kind: "patch",
    body: diff,
    patchText: diff,
    ccStable: false,
  };
}

export async function runRule(rule: Rule, diff: string, options: CaseOptions = {}): Promise<Finding[]> {
  await initCParser();
  const config = configSchema.parse({});
  return reviewMail(mailFromDiff(diff, options), { rules: [rule], config }).findings;
}

export function ruleTester(rule: Rule, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  const names = new Set<string>();
  const diffs = new Set<string>();
  for (const c of [...cases.valid, ...cases.invalid]) {
    assert.ok(!names.has(c.name), `duplicate case name: ${c.name}`);
    assert.ok(!diffs.has(`${c.date ?? ""}${c.subject ?? ""}${c.diff}`), `duplicate case: ${c.name}`);
    names.add(c.name);
    diffs.add(`${c.date ?? ""}${c.subject ?? ""}${c.diff}`);
  }
  assert.ok(cases.valid.length > 0 && cases.invalid.length > 0, `${rule.meta.id}: needs valid and invalid cases`);
  for (const c of cases.valid) {
    test(`${rule.meta.id} stays silent: ${c.name}`, async () => {
      const findings = await runRule(rule, c.diff, c);
      // An advice-only rule must stay fully silent; others may leave dashboard-only info behind.
      const counted = rule.meta.severity === "info" ? findings : findings.filter((f) => f.severity !== "info");
      assert.deepEqual(counted.map((f) => `${f.line} ${f.message}`), []);
    });
  }
  for (const c of cases.invalid) {
    assert.ok(c.errors.length > 0, `invalid case "${c.name}" lists no errors`);
    for (const e of c.errors) assert.ok(e.messageId in rule.meta.messages, `${c.name}: unknown messageId ${e.messageId}`);
    test(`${rule.meta.id} reports: ${c.name}`, async () => {
      const findings = await runRule(rule, c.diff, c);
      const actual = findings.map((f) => ({ messageId: f.messageId, line: f.line, severity: f.severity }));
      const expected = c.errors.map((e) => ({ messageId: e.messageId, line: e.line, severity: e.severity ?? rule.meta.severity }));
      assert.deepEqual(actual, expected);
    });
  }
}

/** Builds a one-file diff from lines prefixed with "+", "-" or " ". */
export function diffOf(path: string, header: string, lines: string[], start = 100): string {
  const oldCount = lines.filter((l) => !l.startsWith("+")).length;
  const newCount = lines.filter((l) => !l.startsWith("-")).length;
  return [
    `diff --git a/${path} b/${path}`,
    `--- a/${path}`,
    `+++ b/${path}`,
    `@@ -${start},${oldCount} +${start},${newCount} @@ ${header}`,
    ...lines,
    "",
  ].join("\n");
}
