/**
 * MLflow's OWN REST tests against Strata's registry (issue 14): MLflow 2.17.2's
 * tests/tracking/test_rest_tracking.py and test_model_registry.py, unmodified (../shared/conformance/
 * mlflow-2.17.2), run by tools/conformance/mlflow/run.sh with the pytest plugin that starts a fresh
 * registry per test (own PostgreSQL schema, auth off, a free port). Out-of-scope tests are
 * deselected by name with their reason in tools/conformance/mlflow/deselected.txt.
 *
 * Done means (issue 14): at least 95% of the selected tests pass. The run is bounded (pytest-timeout
 * 120 s per test, the whole run by RUN_TIMEOUT_MS); the failing tests are printed.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { infraEnv, repoRoot } from '@strata/shared/testing';

/** Upper bound of the whole conformance run (the test fails past it). */
const RUN_TIMEOUT_MS = 25 * 60_000;
/**
 * Selected tests: 37 of test_rest_tracking.py + 48 of test_model_registry.py: the issue's 83, plus the two
 * artifact tests in scope since the registry serves the `mlflow-artifacts` proxy (test_artifacts,
 * test_logging_model_with_local_artifact_uri).
 */
const SELECTED = 85;
const MIN_PASS_RATIO = 0.95;

jest.setTimeout(RUN_TIMEOUT_MS + 60_000);

interface Outcome {
  code: number | string | null;
  output: string;
  junit: string;
}

function runConformance(junitPath: string): Promise<Outcome> {
  const env = infraEnv();
  return new Promise((resolve) => {
    execFile(
      'bash',
      [path.join(repoRoot, 'tools/conformance/mlflow/run.sh'), '--junitxml', junitPath],
      {
        cwd: repoRoot,
        timeout: RUN_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, DATABASE_URL: env.databaseUrl, KAFKA_BROKERS: env.kafkaBrokers.join(','), STRATA_MLFLOW_CONFORMANCE_TIMEOUT_S: String(Math.floor(RUN_TIMEOUT_MS / 1000) - 30) },
      },
      (error, stdout, stderr) => {
        const junit = fs.existsSync(junitPath) ? fs.readFileSync(junitPath, 'utf8') : '';
        resolve({ code: error ? ((error as NodeJS.ErrnoException).code ?? (error as { signal?: string }).signal ?? 1) : 0, output: `${stdout}\n${stderr}`, junit });
      },
    );
  });
}

/** Counts and failing test ids from pytest's JUnit XML. */
function summarize(junit: string): { tests: number; failed: string[]; skipped: number } {
  const suite = /<testsuite\b[^>]*>/.exec(junit)?.[0] ?? '';
  const attr = (k: string): number => Number(new RegExp(`\\b${k}="(\\d+)"`).exec(suite)?.[1] ?? 0);
  const failed: string[] = [];
  for (const m of junit.matchAll(/<testcase\b[^>]*\bname="([^"]+)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    if (/<(failure|error)\b/.test(m[2] ?? '')) failed.push(m[1] as string);
  }
  return { tests: attr('tests'), failed, skipped: attr('skipped') };
}

describe("MLflow 2.17.2's own REST tests against the Strata registry", () => {
  it(`pass for at least ${MIN_PASS_RATIO * 100}% of the ${SELECTED} selected tests`, async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-mlflow-conformance-'));
    const junitPath = path.join(work, 'junit.xml');
    const outcome = await runConformance(junitPath);
    const s = summarize(outcome.junit);
    const selected = s.tests - s.skipped;
    const passed = selected - s.failed.length;
    process.stdout.write(`MLflow conformance: ${passed} of ${selected} selected tests pass (exit ${String(outcome.code)})\n${s.failed.map((f) => `  failed: ${f}`).join('\n')}\n`);
    if (!outcome.junit) process.stdout.write(outcome.output.slice(-20_000));
    expect(selected).toBe(SELECTED);
    expect(passed / selected).toBeGreaterThanOrEqual(MIN_PASS_RATIO);
    fs.rmSync(work, { recursive: true, force: true });
  });
});
