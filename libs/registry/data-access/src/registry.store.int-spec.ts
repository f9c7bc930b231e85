import type { DataSource } from 'typeorm';
import { migratedSchema } from '@strata/shared/testing';
import { AuditOutcome, REGISTRY_ENTITIES, REGISTRY_MIGRATIONS, RegistryStore } from './index';

jest.setTimeout(60_000);

const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe(`${RegistryStore.name} (real PostgreSQL, fresh schema)`, () => {
  const db = migratedSchema('registry_da', REGISTRY_ENTITIES, REGISTRY_MIGRATIONS);
  const schema = db.schema;
  let ds: DataSource;
  const sut = new RegistryStore();
  beforeAll(async () => (ds = await db.open()));
  afterAll(() => db.drop());

  it('runs every migration once, then round-trips a model, a version, an alias and its history', async () => {
    const applied: Array<{ name: string }> = await ds.query(`SELECT name FROM "${schema}".typeorm_migrations ORDER BY id`);
    expect(applied.map((r) => r.name)).toEqual(['MessagingTables1732900000000', 'RegistryInitial1764460800000', 'RegistryRollouts1764554400000', 'RegistryTracking1764561600000', 'RegistryLiveRolloutPolicy1764600000000', 'RegistryLiveDecisionEvidence1764700000000', 'RegistryMlflowVersions1765040000000', 'RegistryLoggedModels1765050000000', 'RegistryPromotionFairness1765080000000']);

    const now = new Date('2026-11-29T22:00:00.000Z');
    await ds.transaction(async (m) => {
      await sut.createModelIfMissing(m, 'taxi-tip', now);
      await sut.createModelIfMissing(m, 'taxi-tip', now); // no-op
      const locked = await sut.lockModel(m, 'taxi-tip');
      expect(locked?.latestVersion).toBe(0);
      await sut.insertVersion(m, {
        name: 'taxi-tip',
        version: 1,
        runId: 'run-1',
        workflowId: 'wf-1',
        artifactUri: 'file:///tmp/m.onnx',
        artifactSha256: SHA,
        signature: { inputs: [{ name: 'input', type: 'float32' }], outputs: [{ name: 'p', type: 'float32' }] },
        metrics: { roc_auc: 0.8, log_loss: 'NaN', x: 'Infinity' },
        params: { l2: 0.1 },
        lineage: { datasetVersions: [], featureViews: [{ name: 'zone_trip_stats' }] },
        referenceProfileUri: null,
        referenceProfileSha256: null,
        description: 'first',
        tags: { team: 'mobility' },
        createdBy: 'training',
        createdAt: now,
      });
      await sut.setLatestVersion(m, 'taxi-tip', 1, now);
      await sut.upsertAlias(m, { name: 'taxi-tip', alias: 'champion', version: 1, updatedBy: 'training', updatedAt: now });
      await sut.appendAliasChange(m, { name: 'taxi-tip', alias: 'champion', fromVersion: null, toVersion: 1, actor: 'training', reason: 'first', changedAt: now });
      await sut.appendAudit(m, { actor: 'training', action: 'model_version.register', resource: 'taxi-tip@1', before: null, after: { v: 1 }, requestId: 'r1', outcome: AuditOutcome.SUCCESS });
    });

    const mv = await sut.getVersion(ds.manager, 'taxi-tip', 1);
    expect(mv).toEqual(
      expect.objectContaining({
        name: 'taxi-tip',
        version: 1,
        runId: 'run-1',
        metrics: { roc_auc: 0.8, log_loss: 'NaN', x: 'Infinity' },
        aliases: ['champion'],
        status: 'READY',
        tags: { team: 'mobility' },
        createdAt: '2026-11-29T22:00:00.000Z',
      }),
    );
    expect(await sut.findVersionByRun(ds.manager, 'taxi-tip', 'run-1')).toEqual(mv);
    expect(await sut.getModel(ds.manager, 'taxi-tip')).toEqual(expect.objectContaining({ latestVersion: 1, aliases: { champion: 1 } }));
    expect(await sut.aliasHistory(ds.manager, 'taxi-tip', 'champion')).toEqual([
      expect.objectContaining({ fromVersion: null, toVersion: 1, actor: 'training', reason: 'first' }),
    ]);
    expect((await sut.listModels(ds.manager, 'TAXI', { limit: 10, offset: 0 })).map((x) => x.name)).toEqual(['taxi-tip']);
    expect(await sut.listModels(ds.manager, '%', { limit: 10, offset: 0 })).toEqual([]); // wildcards are literal
  });

  it('enforces UNIQUE (name, run_id), the alias foreign key and the append-only audit log', async () => {
    const now = new Date();
    await expect(
      ds.transaction((m) =>
        sut.insertVersion(m, {
          name: 'taxi-tip', version: 2, runId: 'run-1', workflowId: null, artifactUri: 'file:///tmp/m.onnx', artifactSha256: SHA,
          signature: {}, metrics: {}, params: {}, lineage: {}, referenceProfileUri: null, referenceProfileSha256: null,
          description: null, tags: {}, createdBy: 'x', createdAt: now,
        }),
      ),
    ).rejects.toThrow(/model_version_name_run_id_key/);
    await expect(ds.transaction((m) => sut.deleteVersion(m, 'taxi-tip', 1))).rejects.toThrow(/model_alias_version_fkey/);
    await expect(ds.query(`UPDATE "${schema}".audit_log SET actor = 'mallory'`)).rejects.toThrow(/audit_log is append-only: UPDATE refused/);
    await expect(ds.query(`DELETE FROM "${schema}".audit_log`)).rejects.toThrow(/audit_log is append-only: DELETE refused/);
    expect((await sut.auditOf(ds.manager, 'taxi-tip')).map((a) => a.actor)).toEqual(['training']);
  });
});
