import { useMigratedSchema } from '@strata/shared/testing';
import { TRAINING_ENTITIES, TRAINING_MIGRATIONS, TrainingRunEntity, toTrainingRun } from '../index';

jest.setTimeout(60_000);

describe('training migrations (real PostgreSQL)', () => {
  const db = useMigratedSchema('training_t', TRAINING_ENTITIES, TRAINING_MIGRATIONS);
  const schema = db.schema;

  it('creates training_run, its log, searches, retraining triggers, outbox_event and inbox_event', async () => {
    const tables = await db.ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [schema]);
    expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual(['inbox_event', 'outbox_event', 'retraining_trigger', 'training_run', 'training_run_log', 'training_search', 'typeorm_migrations']);
  });

  it('round-trips a run and enforces one run per (model, request)', async () => {
    const repo = db.ds.getRepository(TrainingRunEntity);
    await repo.insert({
      runId: '0b0e5a8e-4a43-4f0e-9d52-3a0c4d1e2f10',
      workflowId: 'train:taxi-tip:req-1',
      modelName: 'taxi-tip',
      requestId: 'req-1',
      status: 'RUNNING',
      step: 'train',
      trainer: 'logistic_regression',
      trainingSet: 'big_tipper',
      reason: 'manual',
      params: { l2: 0.001, classWeight: 'balanced' },
      evaluation: { splitTime: '2020-01-01T00:00:00.000Z' },
      datasetVersions: [{ datasetName: 'taxi', versionId: 'v1' }],
      metrics: { roc_auc: 0.71 },
      peakRssBytes: 5_000_000_000,
      cpuSeconds: 1.25,
    });
    const row = await repo.findOneByOrFail({ runId: '0b0e5a8e-4a43-4f0e-9d52-3a0c4d1e2f10' });
    const run = toTrainingRun(row);
    expect(run).toMatchObject({
      workflowId: 'train:taxi-tip:req-1',
      status: 'RUNNING',
      params: { l2: 0.001, classWeight: 'balanced' },
      datasetVersions: [{ datasetName: 'taxi', versionId: 'v1' }],
      metrics: { roc_auc: 0.71 },
      modelVersion: null,
      error: null,
      resources: { wallTimeMs: null, cpuSeconds: 1.25, peakRssBytes: 5_000_000_000, gpuUtilizationPct: null },
      parentSearchId: null,
      finishedAt: null,
    });
    expect(Date.parse(run.createdAt)).toBeGreaterThan(0);

    await expect(
      repo.insert({ ...row, params: {}, runId: '1b0e5a8e-4a43-4f0e-9d52-3a0c4d1e2f10', workflowId: 'train:taxi-tip:req-1b' } as never),
    ).rejects.toThrow(/training_run_model_request_uq/);
    await expect(repo.insert({ ...row, status: 'DONE' as never, runId: '2b0e5a8e-4a43-4f0e-9d52-3a0c4d1e2f10', requestId: 'r2', workflowId: 'w2' } as never)).rejects.toThrow(/check constraint/);
  });

  it('tracking columns (1733200000000): null by default, round-trip, and the migration reverts', async () => {
    const repo = db.ds.getRepository(TrainingRunEntity);
    const runId = '0b0e5a8e-4a43-4f0e-9d52-3a0c4d1e2f10';
    expect(await repo.findOneByOrFail({ runId })).toMatchObject({ trackedRunId: null, trackingSyncedAt: null, trainerProgress: null, triggeredBy: null });
    await repo.update({ runId }, { trackedRunId: 'f'.repeat(32), trackingSyncedAt: new Date('2026-01-02T03:04:05.678Z'), trainerProgress: { train_loss: [[1, 0.69, 1700000000000]] }, triggeredBy: 'key:alice' });
    expect(await repo.findOneByOrFail({ runId })).toMatchObject({
      trackedRunId: 'f'.repeat(32),
      trackingSyncedAt: new Date('2026-01-02T03:04:05.678Z'),
      trainerProgress: { train_loss: [[1, 0.69, 1700000000000]] },
      triggeredBy: 'key:alice',
    });
    await db.ds.undoLastMigration({ transaction: 'each' });
    const cols = await db.ds.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'training_run' AND column_name IN ('tracked_run_id', 'tracking_synced_at', 'trainer_progress', 'triggered_by')`, [schema]);
    expect(cols).toEqual([]);
    await db.ds.runMigrations({ transaction: 'each' });
  });
});
