// Prints one closing line for the whole repository after `turbo run test`: the sum of every
// package's vitest JSON report, as "Tests: N passed, N failed" (plus skipped when any).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface VitestReport {
  success: boolean;
  numFailedTestSuites: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

const root = join(import.meta.dirname, '..', '..');
let passed = 0;
let failed = 0;
let skipped = 0;
const missing: string[] = [];
for (const group of ['packages', 'apps']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const manifest = join(dir, name, 'package.json');
    if (!existsSync(manifest)) continue;
    const scripts = (JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> })
      .scripts;
    if (!scripts?.test) continue;
    const file = join(dir, name, '.vitest-report.json');
    if (!existsSync(file)) {
      missing.push(`${group}/${name}`);
      continue;
    }
    const report = JSON.parse(readFileSync(file, 'utf8')) as VitestReport;
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    // A file that failed to load, or a run with no test files, fails with no failed test to count.
    if (!report.success && report.numFailedTests === 0) failed += Math.max(1, report.numFailedTestSuites);
    skipped += report.numPendingTests + report.numTodoTests;
  }
}
if (missing.length > 0) console.log(`no test report from: ${missing.join(', ')}`);
console.log(
  `Tests: ${passed} passed, ${failed + missing.length} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`,
);
