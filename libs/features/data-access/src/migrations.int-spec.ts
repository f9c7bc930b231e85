import { useMigratedSchema } from '@strata/shared/testing';
import { FEATURES_ENTITIES, FEATURES_MIGRATIONS, JobStatus, MaterializationEntity, OnlineFeatureEntity, RegistryObjectEntity, tableName } from './index';

describe('features migrations (real PostgreSQL)', () => {
  const db = useMigratedSchema('features_mig', FEATURES_ENTITIES, FEATURES_MIGRATIONS);

  it('round-trips registry objects and materializations', async () => {
    await db.ds.getRepository(RegistryObjectEntity).insert({ kind: 'feature_view', name: 'v', definition: { name: 'v', ttlSeconds: 60 }, contentHash: 'b'.repeat(64) } as never);
    expect(await db.ds.getRepository(RegistryObjectEntity).findOneByOrFail({ kind: 'feature_view', name: 'v' })).toMatchObject({ definition: { name: 'v', ttlSeconds: 60 } });
    const m = {
      id: '20260101T000000Z-abcdef01',
      featureView: 'v',
      datasetVersions: [{ datasetName: 'd', versionId: '1', contentSha256: 'c'.repeat(64) }],
      startTime: new Date(0),
      endTime: new Date('2026-01-01T00:00:00Z'),
      status: JobStatus.SUCCEEDED,
      rowCount: 10,
      onlineRowCount: 2,
      offlineUri: 'file:///x.parquet',
      offlineSha256: null,
      minEventTime: null,
      maxEventTime: new Date('2025-12-31T00:00:00Z'),
      error: null,
      trigger: 'test',
      startedAt: new Date(),
      completedAt: new Date(),
    };
    await db.ds.getRepository(MaterializationEntity).insert(m);
    expect(await db.ds.getRepository(MaterializationEntity).findOneByOrFail({ id: m.id })).toMatchObject({ rowCount: 10, onlineRowCount: 2, status: 'SUCCEEDED', datasetVersions: m.datasetVersions });
  });

  it('online_feature: one row per (view, entity key)', async () => {
    const t = tableName(db.ds.manager, OnlineFeatureEntity);
    await db.ds.query(`INSERT INTO ${t} VALUES ('v', '{"k":1}', '{"f":1}', '2026-01-01Z', '2026-01-01Z')`);
    await expect(db.ds.query(`INSERT INTO ${t} VALUES ('v', '{"k":1}', '{"f":2}', '2026-01-02Z', '2026-01-02Z')`)).rejects.toThrow(/duplicate key/);
    expect(await db.ds.getRepository(OnlineFeatureEntity).findOneByOrFail({ featureView: 'v', entityKey: '{"k":1}' })).toMatchObject({ features: { f: 1 } });
  });
});
