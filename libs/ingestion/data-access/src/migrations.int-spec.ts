import { infraEnv, uniqueName } from '@strata/shared/testing';
import { DataSource } from 'typeorm';
import { DatasetEntity, DatasetVersionEntity, INGESTION_ENTITIES, INGESTION_MIGRATIONS } from './index';

describe('ingestion migrations (real PostgreSQL)', () => {
  const schema = uniqueName('ingestion_mig');
  let ds: DataSource;

  beforeAll(async () => {
    ds = new DataSource({ type: 'postgres', url: infraEnv().databaseUrl, schema, entities: INGESTION_ENTITIES, migrations: INGESTION_MIGRATIONS, synchronize: false });
    await ds.initialize();
    await ds.query(`CREATE SCHEMA "${schema}"`);
    await ds.runMigrations();
  });

  afterAll(async () => {
    await ds.query(`DROP SCHEMA "${schema}" CASCADE`);
    await ds.destroy();
  });

  it('round-trips a dataset and a version; (dataset, version id) is unique', async () => {
    await ds.getRepository(DatasetEntity).insert({ name: 'trips', spec: { name: 'trips', format: 'csv' } });
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
    await ds.getRepository(DatasetVersionEntity).insert({ ...v } as never);
    const back = await ds.getRepository(DatasetVersionEntity).findOneByOrFail({ datasetName: 'trips', versionId: v.versionId });
    expect(back).toMatchObject({ ...v, rowCount: 12345678901 });
    expect(back.createdAt).toBeInstanceOf(Date);
    await expect(ds.getRepository(DatasetVersionEntity).insert({ ...v } as never)).rejects.toThrow(/dataset_version_dataset_version_uq/);
    expect(await ds.query(`SELECT count(*)::int AS n FROM "${schema}".outbox_event`)).toEqual([{ n: 0 }]);
  });
});
