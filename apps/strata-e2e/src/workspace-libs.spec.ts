/**
 * tools/workspace/libs.json (the inventory `sync-libs.cjs` wires into tsconfig paths and new
 * libs' project files) must list exactly the path aliases of tsconfig.base.json, with each lib's
 * project.json tags: running `sync-libs.cjs` on a stale list used to delete live aliases.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '@strata/shared/testing';

describe('tools/workspace/libs.json', () => {
  it('matches tsconfig.base.json paths and every project.json tags (sync-libs --check)', () => {
    const run = spawnSync(process.execPath, [path.join(REPO_ROOT, 'tools/workspace/sync-libs.cjs'), '--check'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^libs\.json matches tsconfig\.base\.json and the project tags \(\d+ entries\)/);
  });
});
