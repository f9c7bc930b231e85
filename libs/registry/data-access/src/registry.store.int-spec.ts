import { useMigratedSchema } from '@strata/shared/testing';
import { AuditOutcome, REGISTRY_ENTITIES, REGISTRY_MIGRATIONS, RegistryStore } from './index';

jest.setTimeout(60_000);

const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe(`${RegistryStore.name} (real PostgreSQL, fresh schema)`, () => {
  const db = useMigratedSchema('registry_da', REGISTRY_ENTITIES, REGISTRY_MIGRATIONS);
  const schema = db.schema;
  const sut = new RegistryStore();

  it('runs every migration once, then round-trips a model, a version, an alias and its history', async () => {
    const applied: Array<{ name: string }> = await db.ds.query(`SELECT name FROM "${schema}".typeorm_migrations ORDER BY id`);
    expect(applied.map((r) => r.name)).toEqual(['MessagingTables1732900000000', 'RegistryInitial1764460800000', 'RegistryRollouts1764554400000', 'RegistryTracking1764561600000', 'RegistryLiveRolloutPolicy1764600000000', 'RegistryLiveDecisionEvidence1764700000000', 'RegistryMlflowVersions1765040000000', 'RegistryLoggedModels1765050000000', 'RegistryPromotionFairness1765080000000', 'RegistrySearchIndexes1765200000000']);

    const now = new Date('2026-11-29T22:00:00.000Z');
    await db.ds.transaction(async (m) => {
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

    const mv = await sut.getVersion(db.ds.manager, 'taxi-tip', 1);
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
    expect(await sut.findVersionByRun(db.ds.manager, 'taxi-tip', 'run-1')).toEqual(mv);
    expect(await sut.getModel(db.ds.manager, 'taxi-tip')).toEqual(expect.objectContaining({ latestVersion: 1, aliases: { champion: 1 } }));
    expect(await sut.aliasHistory(db.ds.manager, 'taxi-tip', 'champion')).toEqual([
      expect.objectContaining({ fromVersion: null, toVersion: 1, actor: 'training', reason: 'first' }),
    ]);
    expect((await sut.listModels(db.ds.manager, 'TAXI', { limit: 10, offset: 0 })).map((x) => x.name)).toEqual(['taxi-tip']);
    expect(await sut.listModels(db.ds.manager, '%', { limit: 10, offset: 0 })).toEqual([]); // wildcards are literal
  });

  it('enforces UNIQUE (name, run_id), the alias foreign key and the append-only audit log', async () => {
    const now = new Date();
    await expect(
      db.ds.transaction((m) =>
        sut.insertVersion(m, {
          name: 'taxi-tip', version: 2, runId: 'run-1', workflowId: null, artifactUri: 'file:///tmp/m.onnx', artifactSha256: SHA,
          signature: {}, metrics: {}, params: {}, lineage: {}, referenceProfileUri: null, referenceProfileSha256: null,
          description: null, tags: {}, createdBy: 'x', createdAt: now,
        }),
      ),
    ).rejects.toThrow(/model_version_name_run_id_key/);
    await expect(db.ds.transaction((m) => sut.deleteVersion(m, 'taxi-tip', 1))).rejects.toThrow(/model_alias_version_fkey/);
    await expect(db.ds.query(`UPDATE "${schema}".audit_log SET actor = 'mallory'`)).rejects.toThrow(/audit_log is append-only: UPDATE refused/);
    await expect(db.ds.query(`DELETE FROM "${schema}".audit_log`)).rejects.toThrow(/audit_log is append-only: DELETE refused/);
    expect((await sut.auditOf(db.ds.manager, 'taxi-tip')).map((a) => a.actor)).toEqual(['training']);
  });
  it("answers MLflow's latest_versions (newest version per model and stage) and model-versions/search with index lookups, same rows as DISTINCT ON", async () => {
    const t0 = Date.parse('2026-12-01T10:00:00.000Z');
    // model 'stg-a': 7 versions across stages (3 and 6 Production, 5 Staging, 1 Archived, the rest None); 'stg-b': one None; 'stg-c': no versions.
    const stages: Record<string, string[]> = { 'stg-a': ['Archived', 'None', 'Production', 'None', 'Staging', 'Production', 'None'], 'stg-b': ['None'], 'stg-c': [] };
    await db.ds.transaction(async (m) => {
      for (const [name, list] of Object.entries(stages)) {
        await sut.createModelIfMissing(m, name, new Date(t0));
        for (const [i, stage] of list.entries()) {
          await sut.insertVersion(m, {
            name, version: i + 1, runId: `${name}-run-${i + 1}`, workflowId: null, artifactUri: `file:///tmp/${name}/${i + 1}.onnx`, artifactSha256: SHA,
            signature: { inputs: [] }, metrics: { auc: 0.5 }, params: {}, lineage: {}, referenceProfileUri: null, referenceProfileSha256: null,
            description: i === 1 ? 'second' : null, tags: { n: String(i + 1) }, createdBy: 'training', createdAt: new Date(t0 + i * 1000),
            currentStage: stage, ...(i === 4 ? { source: 's3://bucket/given', sourceRunId: 'mlflow-run-x' } : {}),
          });
        }
        await sut.setLatestVersion(m, name, list.length, new Date(t0));
      }
      await sut.upsertAlias(m, { name: 'stg-a', alias: 'zeta', version: 6, updatedBy: 'x', updatedAt: new Date(t0) });
      await sut.upsertAlias(m, { name: 'stg-a', alias: 'champion', version: 6, updatedBy: 'x', updatedAt: new Date(t0) });
      await sut.upsertAlias(m, { name: 'stg-a', alias: 'old', version: 1, updatedBy: 'x', updatedAt: new Date(t0) });
    });

    const latest = await sut.latestPerStage(db.ds.manager, ['stg-c', 'stg-b', 'stg-a', 'stg-a']);
    expect(latest.map((v) => [v.name, v.currentStage, v.version, v.aliases])).toEqual([
      ['stg-a', 'Archived', 1, ['old']],
      ['stg-a', 'None', 7, []],
      ['stg-a', 'Production', 6, ['champion', 'zeta']],
      ['stg-a', 'Staging', 5, []],
      ['stg-b', 'None', 1, []],
    ]);
    // The query it replaced, as the reference: same versions in the same order.
    const reference: Array<{ name: string; version: number }> = await db.ds.query(
      `SELECT DISTINCT ON (name, current_stage) name, version FROM "${schema}".model_version WHERE name IN ('stg-a', 'stg-b', 'stg-c') ORDER BY name, current_stage, version DESC`,
    );
    expect(latest.map((v) => [v.name, v.version])).toEqual(reference.map((r) => [r.name, r.version]));
    expect(latest[3]).toEqual({
      name: 'stg-a', version: 5, runId: 'stg-a-run-5', artifactUri: 'file:///tmp/stg-a/5.onnx', servable: true, notServableReason: null,
      source: 's3://bucket/given', sourceRunId: 'mlflow-run-x', currentStage: 'Staging', status: 'READY', description: null, tags: { n: '5' },
      aliases: [], createdBy: 'training', createdAt: '2026-12-01T10:00:04.000Z', updatedAt: '2026-12-01T10:00:04.000Z',
    });
    expect(await sut.latestPerStage(db.ds.manager, [])).toEqual([]);
    // More names than one query takes (LATEST_PER_STAGE_NAMES_PER_QUERY = 100): the same rows, grouped by model, by stage within a model.
    const missing = Array.from({ length: 120 }, (_, i) => `no-such-model-${i}`);
    expect((await sut.latestPerStage(db.ds.manager, ['stg-b', ...missing, 'stg-a'])).map((v) => [v.name, v.currentStage, v.version])).toEqual([
      ['stg-b', 'None', 1],
      ['stg-a', 'Archived', 1],
      ['stg-a', 'None', 7],
      ['stg-a', 'Production', 6],
      ['stg-a', 'Staging', 5],
    ]);

    // model-versions/search: MLflow's run id (given, else the training run), default order, aliases in the same query.
    const byRun = await sut.searchVersions(db.ds.manager, { runId: [{ op: '=', value: 'mlflow-run-x' }], limit: 10, offset: 0 });
    expect(byRun.map((v) => [v.name, v.version])).toEqual([['stg-a', 5]]);
    expect((await sut.searchVersions(db.ds.manager, { runId: [{ op: '=', value: 'stg-a-run-6' }], limit: 10, offset: 0 })).map((v) => [v.version, v.aliases])).toEqual([[6, ['champion', 'zeta']]]);
    const byName = await sut.searchVersions(db.ds.manager, { name: [{ op: '=', value: 'stg-a' }], limit: 3, offset: 1 });
    expect(byName.map((v) => v.version)).toEqual([6, 5, 4]); // last update DESC, name, version DESC; page 2..4
    expect(byName[0]).toEqual(expect.objectContaining({ aliases: ['champion', 'zeta'], description: null, tags: { n: '6' }, updatedAt: '2026-12-01T10:00:05.000Z' }));
    const indexes: Array<{ indexname: string }> = await db.ds.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE ANY (ARRAY['%stage_version%', '%mlflow_run_id%', '%name_c_idx']) ORDER BY 1`, [schema]);
    expect(indexes.map((i) => i.indexname)).toEqual(['model_version_mlflow_run_id_idx', 'model_version_name_stage_version_idx', 'registered_model_name_c_idx']);
  });
});
