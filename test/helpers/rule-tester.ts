// A RuleTester in ESLint's shape: each rule is run over valid patches (must
// stay silent, info aside) and invalid patches (must report exactly the
// listed message ids on the listed new-file lines). Cases live in
// test/rules/cases/<id>.ts so that the variant harness can run them again.
import assert from "node:assert/strict";
import { test } from "node:test";
import { initCParser } from "../../src/analysis/c-parser.js";
import { configSchema } from "../../src/config/schema.js";
import { parseSubject } from "../../src/mail/parse-subject.js";
import type { Mail } from "../../src/mail/types.js";
import { reviewMail } from "../../src/review/review-mail.js";
import type { Finding } from "../../src/review/types.js";
import type { Rule } from "../../src/rules/types.js";
import { appendFileSync } from "node:fs";
import { VARIANTS } from "./variants.js";

export interface CaseOptions {
  subject?: string;
  date?: string;
  /** Other patches of the same series (diffs), reviewed as siblings. */
  series?: string[];
}

export interface ValidCase extends CaseOptions {
  name: string;
  diff: string;
}

export interface InvalidCase extends ValidCase {
  errors: { messageId: string; line: number; severity?: string }[];
}

export interface RuleCases {
  valid: ValidCase[];
  invalid: InvalidCase[];
}

export function mailFromDiff(diff: string, options: CaseOptions = {}, index = 0): Mail {
  const subject = options.subject ?? "[PATCH] test: a change";
  return {
    messageId: `test-${index}@pinwatch.test`,
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

export async function runRules(rules: readonly Rule[], diff: string, options: CaseOptions = {}): Promise<Finding[]> {
  await initCParser();
  const config = configSchema.parse({});
  const mail = mailFromDiff(diff, options);
  const series = (options.series ?? []).map((d, i) => mailFromDiff(d, options, i + 1));
  return reviewMail(mail, { rules, config, series }).findings;
}

export async function runRule(rule: Rule, diff: string, options: CaseOptions = {}): Promise<Finding[]> {
  return runRules([rule], diff, options);
}

/** Findings a list would get: info stays on the dashboard. */
export function mailable(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity !== "info");
}

export function ruleTester(rule: Rule, cases: RuleCases): void {
  const names = new Set<string>();
  const diffs = new Set<string>();
  for (const c of [...cases.valid, ...cases.invalid]) {
    assert.ok(!names.has(c.name), `duplicate case name: ${c.name}`);
    const key = `${c.date ?? ""}${c.subject ?? ""}${c.diff}`;
    assert.ok(!diffs.has(key), `duplicate case: ${c.name}`);
    names.add(c.name);
    diffs.add(key);
  }
  assert.ok(cases.valid.length > 0 && cases.invalid.length > 0, `${rule.meta.id}: needs valid and invalid cases`);
  for (const c of cases.valid) {
    test(`${rule.meta.id} stays silent: ${c.name}`, async () => {
      const findings = await runRule(rule, c.diff, c);
      // An advice-only rule must stay fully silent; others may leave dashboard-only info behind.
      const counted = rule.meta.severity === "info" ? findings : mailable(findings);
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
  test(`${rule.meta.id}: every case's generated variants (renames, goto for return, equivalent tests and APIs, split declarations, loop styles) give the same result`, async () => {
    const tallies = await runVariants(rule, cases);
    assert.deepEqual(tallies.flatMap((t) => t.failures.map((f) => `${t.kind}: ${f}`)), []);
  });
}

/** What a variant run found, per kind: reported to PINWATCH_VARIANT_REPORT (JSON lines) when set. */
interface VariantTally {
  rule: string;
  kind: string;
  invalidKept: number;
  invalidTotal: number;
  validSilent: number;
  validTotal: number;
  failures: string[];
}

/**
 * Every case again through each generated meaning-preserving variant that
 * applies (test/helpers/variants.ts): an invalid case's variants must report
 * the same message ids, a valid case's variants must stay silent.
 */
async function runVariants(rule: Rule, cases: RuleCases): Promise<VariantTally[]> {
  const tallies = new Map<string, VariantTally>();
  const tally = (kind: string) => {
    let t = tallies.get(kind);
    if (!t) tallies.set(kind, (t = { rule: rule.meta.id, kind, invalidKept: 0, invalidTotal: 0, validSilent: 0, validTotal: 0, failures: [] }));
    return t;
  };
  const counted = (findings: Finding[]) => (rule.meta.severity === "info" ? findings : mailable(findings));
  for (const c of cases.invalid) {
    const expected = c.errors.map((e) => e.messageId).sort();
    for (const v of VARIANTS) {
      const diff = v.apply(c.diff);
      if (!diff) continue;
      const got = (await runRule(rule, diff, c)).map((f) => f.messageId).sort();
      const t = tally(v.kind);
      t.invalidTotal++;
      if (JSON.stringify(got) === JSON.stringify(expected)) t.invalidKept++;
      else t.failures.push(`invalid "${c.name}": expected ${expected.join(",")} got ${got.join(",") || "nothing"}`);
    }
  }
  for (const c of cases.valid) {
    for (const v of VARIANTS) {
      const diff = v.apply(c.diff);
      if (!diff) continue;
      const got = counted(await runRule(rule, diff, c));
      const t = tally(v.kind);
      t.validTotal++;
      if (got.length === 0) t.validSilent++;
      else t.failures.push(`valid "${c.name}": reported ${got.map((f) => f.messageId).join(",")}`);
    }
  }
  const out = [...tallies.values()];
  const report = process.env.PINWATCH_VARIANT_REPORT;
  if (report) for (const t of out) appendFileSync(report, `${JSON.stringify(t)}\n`);
  return out;
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

/** A diff adding whole C text (every line added) to `path`, at line 100. */
export function added(path: string, code: string): string {
  const lines = code.replace(/^\n/, "").replace(/\n$/, "").split("\n").map((l) => `+${l}`);
  return diffOf(path, "", lines);
}

/** The new-file line number of the first added line containing `needle` in a diff built by diffOf/added. */
export function lineOf(diff: string, needle: string, occurrence = 1): number {
  const lines = diff.split("\n");
  const header = lines.findIndex((l) => l.startsWith("@@"));
  const start = Number(/\+(\d+)/.exec(lines[header]!)![1]);
  let n = start;
  let seen = 0;
  for (const l of lines.slice(header + 1)) {
    if (l.startsWith("-")) continue;
    if (l.startsWith("+") && l.includes(needle) && ++seen === occurrence) return n;
    n++;
  }
  throw new Error(`no added line contains ${needle}`);
}
