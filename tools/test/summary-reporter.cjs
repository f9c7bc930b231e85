/**
 * Jest reporter that writes each run's counts to $STRATA_TEST_RESULTS_DIR (one JSON file per
 * jest invocation) so tools/test/run-all.sh can print one summary over every Nx project.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function tierOf() {
  const i = process.argv.indexOf('--selectProjects');
  return i >= 0 ? process.argv[i + 1] : 'all';
}

class SummaryReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }
  onRunComplete(_contexts, results) {
    const dir = process.env.STRATA_TEST_RESULTS_DIR;
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    const name = path.relative(path.resolve(__dirname, '../..'), this.globalConfig.rootDir || process.cwd()).replace(/[\\/]/g, '_') || 'root';
    const failed = results.testResults
      .filter((r) => r.numFailingTests > 0 || r.testExecError)
      .map((r) => ({ file: path.relative(process.cwd(), r.testFilePath), error: r.testExecError ? String(r.testExecError.message).slice(0, 300) : undefined,
        tests: r.testResults.filter((t) => t.status === 'failed').map((t) => t.fullName) }));
    const file = path.join(dir, `${name}-${tierOf()}-${Date.now()}-${process.pid}.json`);
    fs.writeFileSync(file, JSON.stringify({ project: name, tier: tierOf(), passed: results.numPassedTests,
      failed: results.numFailedTests, skipped: results.numPendingTests + results.numTodoTests,
      suitesFailed: results.numFailedTestSuites, runtimeError: results.numRuntimeErrorTestSuites, failures: failed }, null, 2));
  }
}
module.exports = SummaryReporter;
