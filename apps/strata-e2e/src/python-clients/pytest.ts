import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '@strata/shared/testing';

/** Outcome of one pytest run (never thrown: the caller asserts on it and prints the output). */
export interface PytestResult {
  /** Exit code (null when killed at the timeout). */
  code: number | null;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  /** Outcome of each test by name (`test_x`), from pytest's `-rA` summary. */
  outcomes: Record<string, 'PASSED' | 'FAILED' | 'ERROR' | 'SKIPPED'>;
  output: string;
}

const count = (out: string, what: string): number => Number(new RegExp(`(\\d+) ${what}`).exec(out)?.[1] ?? 0);

/** The lines of pytest's output about one test (its failure section and summary line), for a failing assertion's message. */
export function outputAbout(r: PytestResult, test: string): string {
  const start = r.output.indexOf(`_ ${test} _`);
  const section = start >= 0 ? r.output.slice(start, start + 8000) : '';
  return `${section}\n${r.output.split('\n').filter((l) => l.includes(`::${test}`)).join('\n')}`;
}

/**
 * Runs `python -m pytest <dir>` (a test folder of tools/python/tests) with `env` added, killed
 * after `timeoutMs`. No cache dir, no plugins autoloaded from the environment.
 */
export function runPytest(python: string, dir: string, env: Record<string, string>, timeoutMs: number): Promise<PytestResult> {
  // --color=no: under `nx run-many` FORCE_COLOR is set and pytest would colour the `-rA` summary lines this parses
  const args = ['-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-rA', '--tb=short', '--color=no', path.join(REPO_ROOT, dir)];
  return new Promise((resolve) => {
    execFile(
      python,
      args,
      { cwd: REPO_ROOT, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 32 * 1024 * 1024, env: { ...process.env, PYTEST_DISABLE_PLUGIN_AUTOLOAD: '1', ...env } },
      (error, stdout, stderr) => {
        const output = `${stdout}\n${stderr}`;
        const summary = output.split('\n').filter((l) => /\d+ (passed|failed|error)/.test(l)).pop() ?? '';
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          passed: count(summary, 'passed'),
          failed: count(summary, 'failed'),
          errors: count(summary, 'errors?'),
          skipped: count(summary, 'skipped'),
          outcomes: Object.fromEntries([...output.matchAll(/^(PASSED|FAILED|ERROR|SKIPPED) \S+::(\w+)/gm)].map((m) => [m[2], m[1]])) as PytestResult['outcomes'],
          output,
        });
      },
    );
  });
}
