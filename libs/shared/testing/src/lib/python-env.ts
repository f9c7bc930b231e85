import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../../../../..');

/**
 * Path to the python executable of the project's virtual environment `name`, created on first
 * use by `tools/python/ensure-venv.sh <name>` from `tools/python/<name>.requirements.txt`
 * (packages from the configured package index; idempotent, locked, rebuilt when the
 * requirements change). `npm test` pre-builds every venv before jest starts, so inside a test
 * this is normally instant; a cold call may take minutes (pip install).
 *
 * @throws Error carrying pip's stderr when the environment cannot be built.
 */
export function pythonFor(name: string): string {
  const out = execFileSync('bash', [path.join(REPO_ROOT, 'tools/python/ensure-venv.sh'), name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 15 * 60_000,
  });
  const python = out.trim().split('\n').pop();
  if (!python) throw new Error(`tools/python/ensure-venv.sh ${name} printed no interpreter path`);
  return python;
}

/** Repository root (absolute), for tests that run scripts under tools/ or examples/. */
export const repoRoot = REPO_ROOT;
