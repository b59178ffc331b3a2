// Prints per-backend test counts from bun's JUnit report: suites are titled "… [pglite]" or
// "… [postgres]" by the two-backend harness; everything else counts as backend-neutral.
// Exits non-zero when a test failed or when the report holds no test at all.
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? ".test-results/junit.xml";
const xml = readFileSync(file, "utf8");
const counts = new Map<string, { passed: number; failed: number; skipped: number }>();
const bucket = (name: string) => {
  const key = /\[postgres\]/.test(name) ? "postgres" : /\[pglite\]/.test(name) ? "pglite" : "neutral";
  if (!counts.has(key)) counts.set(key, { passed: 0, failed: 0, skipped: 0 });
  return counts.get(key)!;
};

// Each <testcase …> either closes itself (passed) or holds <failure>/<skipped>.
const caseRe = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
for (const m of xml.matchAll(caseRe)) {
  const attrs = m[1] ?? "";
  const name = /name="([^"]*)"/.exec(attrs)?.[1] ?? "";
  const classname = /classname="([^"]*)"/.exec(attrs)?.[1] ?? "";
  const body = m[3] ?? "";
  const b = bucket(`${classname} ${name}`);
  if (/<(failure|error)\b/.test(body)) b.failed++;
  else if (/<skipped\b/.test(body)) b.skipped++;
  else b.passed++;
}

let passed = 0, failed = 0, skipped = 0;
for (const key of ["pglite", "postgres", "neutral"]) {
  const c = counts.get(key);
  if (!c) continue;
  console.log(`${key}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  passed += c.passed; failed += c.failed; skipped += c.skipped;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (failed > 0 || passed === 0) process.exit(1);
