#!/usr/bin/env node
/** Prints one summary over the JSON files the summary reporter wrote. Usage: summarize.cjs <dir> */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const dir = process.argv[2];
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
let passed = 0, failed = 0, skipped = 0, suitesFailed = 0;
const failures = [];
let runs = 0;
for (const f of files.sort()) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  // only the summary reporter's files (a test may leave a report of its own beside them)
  if (typeof r.tier !== 'string' || !Array.isArray(r.failures)) {
    console.log(`(not a test-run summary, ignored: ${f})`);
    continue;
  }
  runs++;
  passed += r.passed; failed += r.failed; skipped += r.skipped; suitesFailed += r.suitesFailed;
  for (const x of r.failures) failures.push(`${r.tier}: ${x.file}${x.error ? ` (${x.error})` : ''}${x.tests.length ? `\n      ${x.tests.join('\n      ')}` : ''}`);
}
if (failures.length) console.log(`Failed test files:\n  ${failures.join('\n  ')}`);
console.log(`Test files run: ${runs} jest runs; failed suites: ${suitesFailed}`);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || suitesFailed > 0 ? 1 : 0);
