import { useMigratedSchema } from '@strata/shared/testing';
import { DatasetEntity, DatasetVersionEntity, IngestBatchEntity, INGESTION_ENTITIES, INGESTION_MIGRATIONS } from './index';

describe('ingestion migrations (real PostgreSQL)', () => {
  const db = useMigratedSchema('ingestion_mig', INGESTION_ENTITIES, INGESTION_MIGRATIONS);
  const schema = db.schema;

  it('round-trips a dataset and a version; (dataset, version id) is unique', async () => {
    await db.ds.getRepository(DatasetEntity).insert({ name: 'trips', spec: { name: 'trips', format: 'csv' } });
    const v = {
      datasetName: 'trips',
      versionId: 'abcdef0123456789',
      contentSha256: 'a'.repeat(64),
      uri: 'file:///lake/datasets/trips/abcdef0123456789/data.parquet',
      manifestUri: 'file:///lake/datasets/trips/abcdef0123456789/manifest.json',
      rowCount: 12345678901,
      sizeBytes: 42,
      schema: [{ name: 'x', type: 'INT64', nullable: true }],
      profile: { rowCount: 1 },
      validation: { policy: 'reject', issueCount: 0 },
    };
    await db.ds.getRepository(DatasetVersionEntity).insert({ ...v } as never);
    const back = await db.ds.getRepository(DatasetVersionEntity).findOneByOrFail({ datasetName: 'trips', versionId: v.versionId });
    expect(back).toMatchObject({ ...v, rowCount: 12345678901 });
    expect(back.createdAt).toBeInstanceOf(Date);
    await expect(db.ds.getRepository(DatasetVersionEntity).insert({ ...v } as never)).rejects.toThrow(/dataset_version_dataset_version_uq/);
    expect(await db.ds.query(`SELECT count(*)::int AS n FROM "${schema}".outbox_event`)).toEqual([{ n: 0 }]);
  });

  it('stages ingest batches unique per (dataset, batchId) in arrival order; versions keep their parent', async () => {
    await db.ds.getRepository(DatasetEntity).insert({ name: 'ev', spec: { name: 'ev' } });
    const repo = db.ds.getRepository(IngestBatchEntity);
    await repo.insert({ datasetName: 'ev', batchId: 'b1', eventId: 'e1', source: 'it', recordCount: 2, records: [{ id: 1 }, { id: 2 }] } as never);
    await repo.insert({ datasetName: 'ev', batchId: 'b2', eventId: 'e2', source: 'it', recordCount: 1, records: [{ id: 3 }] } as never);
    await expect(repo.insert({ datasetName: 'ev', batchId: 'b1', eventId: 'e3', source: 'it', recordCount: 1, records: [] } as never)).rejects.toThrow(/duplicate key/);
    const rows = await repo.find({ where: { datasetName: 'ev' }, order: { seq: 'ASC' } });
    expect(rows.map((r) => [r.batchId, r.recordCount, r.records, r.flushedAt])).toEqual([
      ['b1', 2, [{ id: 1 }, { id: 2 }], null],
      ['b2', 1, [{ id: 3 }], null],
    ]);
    expect(rows[1]!.seq).toBeGreaterThan(rows[0]!.seq);
    expect(rows[0]!.receivedAt).toBeInstanceOf(Date);
    await db.ds.getRepository(DatasetVersionEntity).insert({
      datasetName: 'ev', versionId: '1111111111111111', contentSha256: 'b'.repeat(64), uri: 's3://lake/x', manifestUri: 's3://lake/m', rowCount: 3, sizeBytes: 1,
      schema: [], profile: {}, validation: {}, parentVersionId: '0000000000000000',
    } as never);
    expect((await db.ds.getRepository(DatasetVersionEntity).findOneByOrFail({ versionId: '1111111111111111' })).parentVersionId).toBe('0000000000000000');
  });
});
