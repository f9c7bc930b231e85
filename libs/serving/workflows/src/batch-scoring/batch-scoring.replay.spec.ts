/* eslint-disable no-restricted-imports, @nx/enforce-module-boundaries -- replay harness, never bundled into workflow code */
/**
 * Replays recorded histories of real batchScoringWorkflow runs against the current workflow code
 * (no server needed). A non-deterministic change (a step added, removed or reordered, or an
 * activity's cancellation type changed, without `patched()`) fails here instead of breaking runs
 * in production.
 *
 * Fixtures: `src/__fixtures__/histories/*.history.bin` (binary temporal.api.history.v1.History),
 * recorded from apps/serving/src/batch-scoring.int-spec.ts runs with
 * `node -r @swc-node/register tools/serving/record-history.ts <Completed|Canceled|Failed> <name>`:
 * `*-v1` before the `batch-scoring-wait-cancelled-chunk` patch (cancellation did not wait for
 * the chunk in flight), `*-v2` with it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

jest.setTimeout(120_000);

const HISTORIES = path.join(__dirname, '../__fixtures__/histories');
const CLOSED = new Set([
  temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
]);

describe('batchScoringWorkflow replay (before and after the wait-cancelled-chunk patch)', () => {
  const files = fs.readdirSync(HISTORIES).filter((f) => f.endsWith('.history.bin'));

  it('has recorded histories of a cancelled, a completed and a failed run', () => {
    expect(files.filter((f) => f.includes('cancelled')).length).toBeGreaterThanOrEqual(1);
    expect(files.filter((f) => f.includes('completed')).length).toBeGreaterThanOrEqual(1);
    expect(files.filter((f) => f.includes('failed')).length).toBeGreaterThanOrEqual(1);
  });

  it.each(files)('replays %s deterministically with the current workflow code', async (file) => {
    const history = temporal.api.history.v1.History.decode(fs.readFileSync(path.join(HISTORIES, file)));
    const events = history.events ?? [];
    expect(CLOSED.has(events[events.length - 1]!.eventType!)).toBe(true);
    await expect(Worker.runReplayHistory({ workflowsPath: require.resolve('../workflows') }, history, path.basename(file, '.history.bin'))).resolves.toBeUndefined();
  });
});
