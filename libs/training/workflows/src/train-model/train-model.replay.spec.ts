/* eslint-disable no-restricted-imports, @nx/enforce-module-boundaries -- replay harness, never bundled into workflow code */
/**
 * Replays recorded histories of real trainModelWorkflow runs against the current workflow code
 * (no server needed). A non-deterministic change to the workflow — a step added, removed or
 * reordered without `patched()` — fails here, in CI, instead of breaking runs in production.
 *
 * Fixtures: `src/__fixtures__/histories/*.history.bin` (binary temporal.api.history.v1.History),
 * recorded with `node -r @swc-node/register tools/training/record-history.ts <workflowId> <name>`
 * (the first one is the demo's run on the NYC taxi data: build set → train → evaluate →
 * register → record, recorded before the `strata-training-v2` patch; the others were recorded
 * from the training orchestration integration test with `--latest <WorkflowType>`: a v2 run with
 * the patch marker, a grid search with failed trials, a drift retraining, a scheduled trigger). Binary, not the CLI's JSON: the SDK's `historyFromJSON` fails in this
 * repo because @temporalio/common and @temporalio/proto each carry their own protobufjs copy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

jest.setTimeout(120_000);

const HISTORIES = path.join(__dirname, '../__fixtures__/histories');

describe('training workflows replay (trainModelWorkflow v1 + v2, hyperparameterSearchWorkflow, retrainModelWorkflow, scheduledRetrainingWorkflow)', () => {
  const files = fs.readdirSync(HISTORIES).filter((f) => f.endsWith('.history.bin'));

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(1);
  });

  it.each(files)('replays %s deterministically with the current workflow code', async (file) => {
    const history = temporal.api.history.v1.History.decode(fs.readFileSync(path.join(HISTORIES, file)));
    const events = history.events ?? [];
    expect(events[events.length - 1]?.eventType).toBe(temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    await expect(
      Worker.runReplayHistory({ workflowsPath: require.resolve('../workflows') }, history, path.basename(file, '.history.bin')),
    ).resolves.toBeUndefined();
  });
});
