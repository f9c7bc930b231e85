import { useMigratedSchema } from '@strata/shared/testing';
import { FeedbackEntity, MONITORING_ENTITIES, MONITORING_MIGRATIONS, PredictionEntity, ReferenceProfileEntity, WindowReportEntity } from './index';

describe('monitoring schema (migrations on real PostgreSQL)', () => {
  const db = useMigratedSchema('monitoring_it', MONITORING_ENTITIES, MONITORING_MIGRATIONS);
  const schema = db.schema;

  it('round-trips a prediction, a feedback, a reference profile and a window report', async () => {
    const eventTime = new Date('2020-01-15T10:00:00.000Z');
    await db.ds.getRepository(PredictionEntity).insert({
      predictionId: 'p-1', modelName: 'taxi-tip', modelVersion: 3, alias: 'champion',
      features: { trip_distance: 1.5, trips_1h: null }, probability: 0.25, eventTime,
      predictedAt: new Date('2026-01-01T00:00:00.000Z'), latencyMs: 1.25, seq: null, rolloutId: null, rolloutExcluded: null, countedLabel: null,
    });
    // idempotent insert: the same prediction id twice changes nothing
    await db.ds.createQueryBuilder().insert().into(PredictionEntity).values({
      predictionId: 'p-1', modelName: 'x', modelVersion: 9, alias: null, features: {}, probability: 1, eventTime, predictedAt: eventTime, latencyMs: 0,
    }).orIgnore().execute();
    const p = await db.ds.getRepository(PredictionEntity).findOneByOrFail({ predictionId: 'p-1' });
    expect(p).toEqual({
      predictionId: 'p-1', modelName: 'taxi-tip', modelVersion: 3, alias: 'champion',
      features: { trip_distance: 1.5, trips_1h: null }, probability: 0.25, eventTime,
      predictedAt: new Date('2026-01-01T00:00:00.000Z'), latencyMs: 1.25, seq: null, rolloutId: null, rolloutExcluded: null, countedLabel: null,
    });

    await db.ds.getRepository(FeedbackEntity).insert({ predictionId: 'p-1', observedAt: eventTime, modelName: 'taxi-tip', label: 1, source: 'api' });
    expect(await db.ds.getRepository(FeedbackEntity).findOneByOrFail({ predictionId: 'p-1' })).toEqual({
      predictionId: 'p-1', observedAt: eventTime, modelName: 'taxi-tip', label: 1, source: 'api',
    });

    await db.ds.getRepository(ReferenceProfileEntity).insert({ modelName: 'taxi-tip', modelVersion: 3, profile: { formatVersion: 1 }, sha256: 'a'.repeat(64), sourceUri: 'file:///tmp/p.json' });
    const rp = await db.ds.getRepository(ReferenceProfileEntity).findOneByOrFail({ modelName: 'taxi-tip', modelVersion: 3 });
    expect(rp.profile).toEqual({ formatVersion: 1 });
    expect(rp.sha256).toBe('a'.repeat(64));

    const start = new Date('2020-01-01T00:00:00.000Z');
    await db.ds.getRepository(WindowReportEntity).insert({
      modelName: 'taxi-tip', modelVersion: 3, windowKind: 'month', windowStart: start, windowEnd: new Date('2020-02-01T00:00:00.000Z'),
      predictionCount: 1, labeledCount: 1, drift: { features: [] }, performance: { rocAuc: null, accuracy: 1, logLoss: 0.1 },
      computedAt: eventTime, driftAlertedAt: null, performanceAlertedAt: null,
    });
    const wr = await db.ds.getRepository(WindowReportEntity).findOneByOrFail({ modelName: 'taxi-tip', modelVersion: 3, windowKind: 'month', windowStart: start });
    expect(wr.predictionCount).toBe(1);
    expect(wr.performance).toEqual({ rocAuc: null, accuracy: 1, logLoss: 0.1 });

    // incremental state (migration 1733300000000): counters add up on conflict
    const upsert = `INSERT INTO "${schema}"."window_counter" (model_name, model_version, alias, window_key, metric, bucket, n, s) VALUES ('taxi-tip', 3, '', 'd:2020-01-15', 'pred', '', 1, 0.5)
      ON CONFLICT (model_name, window_key, model_version, alias, metric, bucket) DO UPDATE SET n = "${schema}"."window_counter".n + EXCLUDED.n, s = "${schema}"."window_counter".s + EXCLUDED.s`;
    await db.ds.query(upsert);
    await db.ds.query(upsert);
    expect(await db.ds.query(`SELECT n, s FROM "${schema}"."window_counter"`)).toEqual([{ n: 2, s: 1 }]);
    await db.ds.query(`UPDATE "${schema}"."prediction" SET seq = 41, rollout_id = 'r-9' WHERE prediction_id = 'p-1'`);
    expect(await db.ds.getRepository(PredictionEntity).findOneByOrFail({ predictionId: 'p-1' })).toEqual(expect.objectContaining({ seq: '41', rolloutId: 'r-9' }));
    expect(await db.ds.query(`SELECT count(*)::int AS c FROM "${schema}"."rollout_state"`)).toEqual([{ c: 0 }]);
    expect(await db.ds.query(`SELECT count(*)::int AS c FROM "${schema}"."prediction_sequence"`)).toEqual([{ c: 0 }]);
  });
});
