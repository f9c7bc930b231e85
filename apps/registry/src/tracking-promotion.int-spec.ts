/**
 * Tracking (experiments, runs), the MLflow REST API driven by the OFFICIAL mlflow Python client,
 * verified artifact downloads and the promotion policy — against the registry app wired as in
 * production (listening on a port of the registry range, fresh PostgreSQL schema, real Kafka).
 */
import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ArtifactIntegrityFailedV1, ModelAliasChangedV1 } from '@strata/contracts';
import { RegistryApi } from '@strata/contracts/api';
import { AppErrorFilter, DatabaseService } from '@strata/shared/nest-platform';
import { pythonFor, uniqueName, dropSchemas } from '@strata/shared/testing';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { loadRegistryConfig } from './config';

jest.setTimeout(180_000);

const PORT = 26_000 + Math.floor(Math.random() * 900);
const schema = uniqueName('registry_tp');
const runTag = schema.slice('registry_tp_'.length).replace(/_/g, '-');
const modelName = (slug: string): string => `tp-${runTag}-${slug}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-registry-tp-'));
const base = `http://127.0.0.1:${PORT}`;
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

let app: NestFastifyApplication;
let ds: DataSource;

type Reply = { status: number; body: any; text: string; headers: Headers }; // eslint-disable-line @typescript-eslint/no-explicit-any
async function call(method: string, url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, headers: res.headers };
}

/** Writes a file into the registry's artifact store and returns its URI and sha256. */
function artifact(rel: string, content: string): { uri: string; sha256: string; file: string } {
  const file = path.join(dataDir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return { uri: pathToFileURL(file).href, sha256: sha(content), file };
}

const EVAL = { datasetVersions: [{ datasetName: 'nyc-taxi', versionId: 'v2020-01', contentSha256: 'c'.repeat(64) }], splitTime: '2020-01-01T00:00:00Z' };
const OTHER_EVAL = { datasetVersions: [{ datasetName: 'nyc-taxi', versionId: 'v2020-02', contentSha256: 'd'.repeat(64) }], splitTime: '2020-01-01T00:00:00Z' };

function registration(runId: string, metrics: Record<string, unknown>, evaluation: unknown = EVAL, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const a = artifact(`models/${runId}/model.onnx`, `model-bytes-${runId}`);
  return {
    runId,
    workflowId: `train:wf:${runId}`,
    artifactUri: a.uri,
    artifactSha256: a.sha256,
    signature: { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'probability', type: 'float32', shape: [-1, 1] }] },
    metrics,
    lineage: {
      datasetVersions: [{ datasetName: 'nyc-taxi', versionId: 'v2019-03', contentSha256: 'b'.repeat(64) }],
      featureViews: ['zone_trip_stats', { name: 'zone_fares', materializationId: 'mat-7' }],
      featureService: 'taxi_tip_v1',
      trainingSet: 'big_tipper',
      workflowId: `train:wf:${runId}`,
      codeVersion: 'git:abc123',
      evaluation,
    },
    ...extra,
  };
}

async function outboxAliasEvents(model: string): Promise<Array<[string, number | null, number | null, string]>> {
  const rows: Array<{ payload: Buffer }> = await ds.query(`SELECT payload FROM "${schema}".outbox_event WHERE key = $1 AND topic = $2 ORDER BY seq`, [model, ModelAliasChangedV1.topic]);
  return rows.map((r) => {
    const v = JSON.parse(r.payload.toString('utf8'));
    return [v.alias, v.fromVersion, v.toVersion, v.reason];
  });
}

beforeAll(async () => {
  const config = loadRegistryConfig({ ...process.env, REGISTRY_DB_SCHEMA: schema, LOG_LEVEL: 'warn', STRATA_DATA_DIR: dataDir });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forConfig(config)] }).compile();
  app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  app.useGlobalFilters(new AppErrorFilter());
  await app.listen(PORT, '127.0.0.1');
  await app.get(DatabaseService).whenReady();
  ds = app.get(DataSource);
});

afterAll(async () => {
  await app?.close();
  await dropSchemas(schema);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the official mlflow Python client against /api/2.0/mlflow', () => {
  it('creates an experiment, logs a run, registers a version, sets and reads an alias, searches — and Strata agrees', async () => {
    const python = pythonFor('mlflow');
    const model = modelName('mlflow');
    const expName = `exp-${runTag}`;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-mlflow-py-'));
    const { stdout } = await promisify(execFile)(python, [path.join(__dirname, '__fixtures__/mlflow_client_flow.py'), base, model, expName, work], {
      timeout: 120_000,
      env: { ...process.env, MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0', MLFLOW_HTTP_REQUEST_TIMEOUT: '30' },
    });
    fs.rmSync(work, { recursive: true, force: true });
    const out = JSON.parse(stdout.trim().split('\n').pop() as string);

    const expId: string = out.experiment.id;
    expect(out.experiment).toEqual({ id: expId, name: expName, tags: { team: 'strata' }, artifact_location: `mlflow-artifacts:/${expId}` });
    const rid: string = out.run.id;
    expect(out.run).toEqual({
      id: rid,
      name: 'py-run',
      status: 'FINISHED',
      end_time: 1700000009000,
      artifact_uri: `${out.experiment.artifact_location}/${rid}/artifacts`,
      params: { l2: '0.001', trainer: 'logreg' },
      metrics: { auc: 0.75, loss: 0.25, odd: null },
      tags: { suite: 'mlflow-client', stage: 'test', owner: 'alice' },
    });
    expect(out.history).toEqual([
      [0, 0.5, 1700000000000],
      [1, 0.625, 1700000000001],
      [2, 0.75, 1700000000002],
    ]);
    expect(out.found_runs).toEqual([rid]);
    expect(out.none_runs).toBe(0);
    // MLflow records the source as given (issue 14); the verified artifact it resolved to is the native artifactUri below.
    expect(out.version).toEqual({ version: '1', run_id: rid, source: `runs:/${rid}/model`, description: 'v1 desc', status: 'READY' });
    expect(out.by_alias).toEqual({ version: '1', aliases: ['champion'], tags: { k: 'v', validated: 'yes' } });
    expect(out.versions).toEqual(['1']);
    expect(out.models).toEqual([{ name: model, description: 'from mlflow', tags: { domain: 'taxi' }, aliases: { champion: '1' } }]);
    expect(out.errors).toEqual({
      experiment_exists: 'RESOURCE_ALREADY_EXISTS',
      model_exists: 'RESOURCE_ALREADY_EXISTS',
      no_such_version: 'RESOURCE_DOES_NOT_EXIST',
      changed_param: 'INVALID_PARAMETER_VALUE',
    });

    // Strata's own endpoints read the same values
    const run = await call('GET', `/runs/${rid}`);
    expect(run.body).toEqual(
      expect.objectContaining({
        runId: rid,
        experimentId: expId,
        status: 'FINISHED',
        endTime: 1700000009000,
        params: { l2: '0.001', trainer: 'logreg' },
        latestMetrics: {
          auc: { key: 'auc', value: 0.75, step: 2, timestamp: 1700000000002 },
          loss: { key: 'loss', value: 0.25, step: 0, timestamp: 1700000000100 },
          odd: { key: 'odd', value: 'NaN', step: 0, timestamp: 1700000000100 },
        },
      }),
    );
    expect((await call('GET', `/runs/${rid}/metrics/auc/history`)).body.map((p: { value: number }) => p.value)).toEqual([0.5, 0.625, 0.75]);
    expect((await call('GET', `/runs/${rid}/artifacts`)).body.map((a: { path: string; sizeBytes: number }) => [a.path, a.sizeBytes])).toEqual([
      ['model/MLmodel', 266],
      ['model/model.onnx', 36],
    ]);
    const mv = await call('GET', `/registered-models/${model}/versions/1`);
    expect(mv.body).toEqual(
      expect.objectContaining({
        runId: rid,
        // the proxied artifact (run artifact_uri `mlflow-artifacts:/<exp>/<run>/artifacts`) as the file serving loads: <data dir>/mlflow/<path>
        artifactUri: `${pathToFileURL(path.join(dataDir, 'mlflow')).href}/${String(out.run.artifact_uri).replace(/^mlflow-artifacts:\//, '')}/model/model.onnx`,
        servable: true,
        artifactSha256: sha('not-really-onnx-but-bytes-0123456789'),
        signature: { inputs: [{ name: 'input', type: 'float32', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'probability', type: 'float32', datatype: 'FP32', shape: [-1, 1] }] },
        metrics: { auc: 0.75, loss: 0.25, odd: 'NaN' },
        params: { l2: '0.001', trainer: 'logreg' },
        aliases: ['champion'],
        tags: { k: 'v', validated: 'yes' },
      }),
    );
    const download = await call('GET', `/registered-models/${model}/versions/1/artifact`);
    expect([download.status, download.text, download.headers.get('x-strata-artifact-sha256')]).toEqual([200, 'not-really-onnx-but-bytes-0123456789', sha('not-really-onnx-but-bytes-0123456789')]);
  });

  it('answers MLflow errors as {error_code, message}', async () => {
    const missing = await call('GET', '/api/2.0/mlflow/runs/get?run_id=nope');
    expect([missing.status, missing.body]).toEqual([404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Run 'nope' not found" }]);
    const badFilter = await call('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: ['0'], filter: 'metrics.auc > 0.5 OR params.x = 1' });
    expect([badFilter.status, badFilter.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect(badFilter.body.message).toContain('OR is not supported');
  });
});

describe('artifact download', () => {
  it('streams the verified bytes, and refuses a tampered or truncated file with 422', async () => {
    const model = modelName('artifact');
    const reg = registration('art-1', { roc_auc: 0.75 });
    expect((await call('POST', `/registered-models/${model}/versions`, reg)).status).toBe(201);
    const ok = await call('GET', `/registered-models/${model}/versions/1/artifact`);
    expect([ok.status, ok.text, ok.headers.get('content-length')]).toEqual([200, 'model-bytes-art-1', '17']);

    const file = path.join(dataDir, 'models/art-1/model.onnx');
    fs.writeFileSync(file, 'model-bytes-art-2'); // same size, other bytes
    const tampered = await call('GET', `/registered-models/${model}/versions/1/artifact`);
    expect([tampered.status, tampered.body.code]).toEqual([422, 'INTEGRITY_ERROR']);
    expect(tampered.body.error).toBe(
      `Artifact of model version '${model}@1' failed verification: sha256 ${sha('model-bytes-art-2')} (17 bytes) does not match the registered ${sha('model-bytes-art-1')}; the file was altered or truncated`,
    );
    // the refusal raised exactly one integrity alert, through the registry's outbox
    const alerts = async (): Promise<Array<Record<string, unknown>>> =>
      ((await ds.query(`SELECT payload FROM "${schema}".outbox_event WHERE key = $1 AND topic = $2 ORDER BY seq`, [`${model}@1`, ArtifactIntegrityFailedV1.topic])) as Array<{ payload: Buffer }>).map((r) => JSON.parse(r.payload.toString('utf8')));
    const first = await alerts();
    expect(first).toEqual([{
      service: 'registry', resourceType: 'model-version', resource: `${model}@1`, uri: reg['artifactUri'],
      expectedSha256: sha('model-bytes-art-1'), actualSha256: sha('model-bytes-art-2'), sizeBytes: 17, reason: 'sha256-mismatch', detectedAt: expect.any(String),
    }]);
    expect(Date.now() - Date.parse(first[0]!['detectedAt'] as string)).toBeLessThan(60_000);
    fs.writeFileSync(file, 'model-bytes'); // short
    const short = await call('GET', `/registered-models/${model}/versions/1/artifact`);
    expect([short.status, short.body.error]).toEqual([422, expect.stringContaining(`sha256 ${sha('model-bytes')} (11 bytes) does not match`)]);
    expect((await alerts()).map((a) => [a['actualSha256'], a['sizeBytes'], a['reason']])).toEqual([
      [sha('model-bytes-art-2'), 17, 'sha256-mismatch'],
      [sha('model-bytes'), 11, 'sha256-mismatch'],
    ]);
    fs.rmSync(file); // missing
    const missing = await call('GET', `/registered-models/${model}/versions/1/artifact`);
    expect(missing.status).toBe(422);
    expect((await alerts()).map((a) => [a['actualSha256'], a['sizeBytes'], a['reason']])[2]).toEqual([null, null, 'missing']);

    const outside = await call('POST', `/registered-models/${model}/versions`, { ...registration('art-2', {}), artifactUri: 'file:///etc/hostname' });
    expect(outside.status).toBe(201);
    const refused = await call('GET', `/registered-models/${model}/versions/2/artifact`);
    expect([refused.status, refused.body.error]).toEqual([422, `Artifact URI of model version '${model}@2' 'file:///etc/hostname' is outside the registry's artifact store; it cannot be read`]);
  });
});

describe('promotion policy', () => {
  it('promotes a challenger only when it beats the champion by the margin on the same evaluation data, recording every decision', async () => {
    const model = modelName('promo');
    const reg = async (runId: string, auc: unknown, evaluation: unknown = EVAL): Promise<number> => {
      const r = await call('POST', `/registered-models/${model}/versions`, registration(runId, { roc_auc: auc, log_loss: 0.5 }, evaluation));
      expect(r.status).toBe(201);
      return r.body.version;
    };
    expect(await reg('p1', 0.75)).toBe(1); // champion
    expect((await call('POST', `/registered-models/${model}/promotion-decisions`, {})).status).toBe(409); // no policy yet
    const policy = await call('PUT', `/registered-models/${model}/promotion-policy`, { metric: 'roc_auc', direction: 'maximize', minMargin: 0.1 }, { 'x-strata-actor': 'ops' });
    expect(policy.body).toEqual(expect.objectContaining({ name: model, metric: 'roc_auc', direction: 'maximize', minMargin: 0.1, autoPromote: true, updatedBy: 'ops' }));

    // v2: better by 0.0625 < 0.1 → rejected, champion stays
    expect(await reg('p2', 0.8125)).toBe(2);
    const set2 = await call('PUT', `/registered-models/${model}/aliases/challenger`, { version: 2, actor: 'retrainer' });
    expect(set2.body.promotionDecision).toEqual(
      expect.objectContaining({ challengerVersion: 2, championVersion: 1, challengerValue: 0.8125, championValue: 0.75, improvement: 0.0625, outcome: 'rejected', applied: false, trigger: 'challenger-alias-set', actor: 'retrainer' }),
    );
    expect(set2.body.promotionDecision.reason).toBe('roc_auc 0.8125 (v2) vs 0.75 (v1), maximize: improvement 0.0625 < margin 0.1');
    expect((await call('GET', `/registered-models/${model}/aliases/champion`)).body.version).toBe(1);

    // v3: evaluated on other data → rejected with the reason, whatever the numbers
    expect(await reg('p3', 0.99, OTHER_EVAL)).toBe(3);
    const set3 = await call('PUT', `/registered-models/${model}/aliases/challenger`, { version: 3 });
    expect(set3.body.promotionDecision.outcome).toBe('rejected');
    expect(set3.body.promotionDecision.reason).toMatch(/^not evaluated on the same data: challenger version 3 on [0-9a-f]{64}, champion version 1 on [0-9a-f]{64}$/);

    // v4: non-finite metric → rejected
    expect(await reg('p4', 'NaN')).toBe(4);
    expect((await call('PUT', `/registered-models/${model}/aliases/challenger`, { version: 4 })).body.promotionDecision.reason).toBe('challenger version 4 has a non-finite roc_auc (NaN)');

    // v5: better by 0.125 ≥ 0.1 → dry run first, then automatic promotion
    expect(await reg('p5', 0.875)).toBe(5);
    const dry = await call('POST', `/registered-models/${model}/promotion-decisions`, { challengerVersion: '5', apply: false });
    expect([dry.status, dry.body.outcome, dry.body.applied, dry.body.trigger]).toEqual([201, 'promoted', false, 'request']);
    expect((await call('GET', `/registered-models/${model}/aliases/champion`)).body.version).toBe(1);
    const set5 = await call('PUT', `/registered-models/${model}/aliases/challenger`, { version: 5, actor: 'retrainer' });
    expect(set5.body.promotionDecision).toEqual(expect.objectContaining({ challengerVersion: 5, championVersion: 1, improvement: 0.125, outcome: 'promoted', applied: true }));
    expect(set5.body.promotionDecision.reason).toBe('roc_auc 0.875 (v5) vs 0.75 (v1), maximize: improvement 0.125 >= margin 0.1');
    expect((await call('GET', `/registered-models/${model}/aliases/champion`)).body.version).toBe(5);

    const decisions = await call('GET', `/registered-models/${model}/promotion-decisions`);
    expect(decisions.body.decisions.map((d: Record<string, unknown>) => [d.challengerVersion, d.championVersion, d.outcome, d.applied])).toEqual([
      [5, 1, 'promoted', true],
      [5, 1, 'promoted', false],
      [4, 1, 'rejected', false],
      [3, 1, 'rejected', false],
      [2, 1, 'rejected', false],
    ]);
    const one = await call('GET', `/registered-models/${model}/promotion-decisions/${decisions.body.decisions[4].id}`);
    expect([one.body.challengerValue, one.body.championValue, one.body.minMargin]).toEqual([0.8125, 0.75, 0.1]);

    const history = await call('GET', `/registered-models/${model}/aliases/champion/history`);
    expect(history.body[0]).toEqual(expect.objectContaining({ fromVersion: 1, toVersion: 5, actor: 'retrainer', reason: `promotion decision ${set5.body.promotionDecision.id}: ${set5.body.promotionDecision.reason}` }));

    // the four reads the console and the CLI make answer as their contracts say (RegistryApi)
    expect(RegistryApi.listDecisions.response.parse(decisions.body).decisions.map((d) => d.challengerVersion)).toEqual([5, 5, 4, 3, 2]);
    expect(RegistryApi.aliasHistory.response.parse(history.body).map((h) => [h.name, h.fromVersion, h.toVersion])).toEqual([[model, 1, 5], [model, null, 1]]);
    const detail = RegistryApi.getModel.response.parse((await call('GET', `/registered-models/${model}`)).body);
    expect([detail.latestVersion, detail.aliases, detail.latestVersions.map((v) => v.version)]).toEqual([5, { champion: 5, challenger: 5 }, [5, 4, 3, 2, 1]]);
    const page = RegistryApi.listVersions.response.parse((await call('GET', `/registered-models/${model}/versions?limit=2`)).body);
    expect([page.modelVersions.map((v) => v.version), typeof page.nextPageToken]).toEqual([[5, 4], 'string']);
    expect(await outboxAliasEvents(model)).toEqual([
      ['champion', null, 1, 'first version of the model'],
      ['challenger', null, 2, ''],
      ['challenger', 2, 3, ''],
      ['challenger', 3, 4, ''],
      ['challenger', 4, 5, ''],
      ['champion', 1, 5, `promotion decision ${set5.body.promotionDecision.id}: ${set5.body.promotionDecision.reason}`],
    ]);
    const audit = (await call('GET', `/registered-models/${model}/audit`)).body.filter((a: { action: string }) => a.action === 'promotion.decide');
    expect(audit.map((a: { outcome: string }) => a.outcome)).toEqual(['refused', 'refused', 'refused', 'success', 'success']);
  });

  it('minimize: a lower log_loss wins; an equal one does not', async () => {
    const model = modelName('promo-min');
    for (const [r, loss] of [['m1', 0.5], ['m2', 0.5], ['m3', 0.375]] as const) {
      expect((await call('POST', `/registered-models/${model}/versions`, registration(r, { log_loss: loss }))).status).toBe(201);
    }
    await call('PUT', `/registered-models/${model}/promotion-policy`, { metric: 'log_loss', direction: 'minimize' });
    const equal = await call('PUT', `/registered-models/${model}/aliases/challenger`, { version: 2 });
    expect([equal.body.promotionDecision.outcome, equal.body.promotionDecision.reason]).toEqual(['rejected', 'log_loss 0.5 (v2) vs 0.5 (v1), minimize: improvement 0 is not positive']);
    const better = await call('PUT', `/registered-models/${model}/aliases/challenger`, { version: 3 });
    expect([better.body.promotionDecision.outcome, better.body.promotionDecision.improvement]).toEqual(['promoted', 0.125]);
    expect((await call('GET', `/registered-models/${model}`)).body.aliases).toEqual({ champion: 3, challenger: 3 });
  });

  it('the fairness gate of the policy refuses a challenger that widens the demographic parity gap, and one without per-group evidence (issue #17)', async () => {
    const model = modelName('promo-fair');
    // per-group counts of the evaluation set, as training records them: [group, predictions, predicted positives, tp, fp, tn, fn]
    const segs = (...gs: Array<[string, number, number, number, number, number, number]>) => ({
      sex: { column: 'person__sex', groups: gs.map(([group, predictionCount, predictedPositiveCount, tp, fp, tn, fn]) => ({ group, predictionCount, predictedPositiveCount, tp, fp, tn, fn })) },
    });
    const reg = async (runId: string, accuracy: number, segments?: unknown): Promise<number> => {
      const r = await call('POST', `/registered-models/${model}/versions`, registration(runId, { accuracy }, { ...EVAL, ...(segments ? { segments } : {}) }));
      expect(r.status).toBe(201);
      return r.body.version;
    };
    expect(await reg('f1', 0.8, segs(['Male', 200, 60, 40, 20, 100, 40], ['Female', 100, 20, 10, 10, 70, 10], ['Other', 10, 1, 1, 0, 8, 1]))).toBe(1); // SR 0.3 / 0.2 (Other < min count)
    const bad = await call('PUT', `/registered-models/${model}/promotion-policy`, { metric: 'accuracy', direction: 'maximize', fairness: { segment: 'sex', metric: 'demographic_parity_difference' } });
    expect([bad.status, bad.body.error]).toEqual([400, expect.stringContaining('give maxWidening, maxValue or minValue')]);
    const policy = await call('PUT', `/registered-models/${model}/promotion-policy`, { metric: 'accuracy', direction: 'maximize', autoPromote: false, fairness: { segment: 'sex', metric: 'demographic_parity_difference', maxWidening: 0.05, minCount: 30 } });
    expect(policy.body.fairness).toEqual({ segment: 'sex', metric: 'demographic_parity_difference', maxWidening: 0.05, maxValue: null, minValue: null, minCount: 30, significantOnly: false });
    expect((await call('GET', `/registered-models/${model}/promotion-policy`)).body.fairness).toEqual(policy.body.fairness);
    // the stored policy is the contract's PromotionPolicy (its fairness a PolicyFairness) (issue 16)
    expect(RegistryApi.getPromotionPolicy.response.parse(policy.body).fairness?.metric).toBe('demographic_parity_difference');

    // v2: more accurate, but SR 0.45 (Male) vs 0.15 (Female): the gap widens 0.1 → 0.3
    expect(await reg('f2', 0.9, segs(['Male', 200, 90, 60, 30, 90, 20], ['Female', 100, 15, 10, 5, 75, 10]))).toBe(2);
    const refused = await call('POST', `/registered-models/${model}/promotion-decisions`, { challengerVersion: 2, apply: true });
    expect(refused.status).toBe(201);
    expect([refused.body.outcome, refused.body.applied, refused.body.challengerValue, refused.body.championValue]).toEqual(['rejected', false, 0.9, 0.8]);
    expect(refused.body.reason).toBe(
      `accuracy 0.9 (v2) vs 0.8 (v1), maximize: improvement ${0.9 - 0.8} >= margin 0; refused by the disparity gate: demographic_parity_difference on 'sex': challenger v2 ${0.45 - 0.15} vs champion v1 ${0.3 - 0.2}, widening ${0.45 - 0.15 - (0.3 - 0.2)} > margin 0.05 (min count 30)`,
    );
    const d = refused.body.evidence.disparity;
    expect([d.status, d.passed, d.championValue, d.challengerValue, d.maxWidening, d.minCount]).toEqual(['widened', false, 0.3 - 0.2, 0.45 - 0.15, 0.05, 30]);
    expect(d.champion.excludedGroups).toEqual([{ group: 'Other', count: 10 }]);
    expect(d.challenger.groups.map((g: { group: string; selectionRate: number }) => [g.group, g.selectionRate])).toEqual([['Male', 0.45], ['Female', 0.15]]);
    expect((await call('GET', `/registered-models/${model}/promotion-decisions/${refused.body.id}`)).body.evidence).toEqual(refused.body.evidence);
    expect((await call('GET', `/registered-models/${model}/aliases/champion`)).body.version).toBe(1);

    // v3: no per-group evaluation recorded → insufficient data, refused (never a silent pass)
    expect(await reg('f3', 0.95)).toBe(3);
    const blind = await call('POST', `/registered-models/${model}/promotion-decisions`, { challengerVersion: 3, apply: true });
    expect([blind.body.outcome, blind.body.evidence.disparity.status]).toEqual(['rejected', 'insufficient_data']);
    expect(blind.body.reason).toContain("insufficient data: the challenger has fewer than two groups with at least 30 observations (min count 30) (no per-group evaluation of 'sex' recorded for v3)");

    // v4: same gap as the champion (SR 0.35 / 0.25) → promoted, the gate's numbers in the reason
    expect(await reg('f4', 0.85, segs(['Male', 200, 70, 50, 20, 100, 30], ['Female', 100, 25, 15, 10, 70, 5]))).toBe(4);
    const ok = await call('POST', `/registered-models/${model}/promotion-decisions`, { challengerVersion: 4, apply: true });
    expect([ok.body.outcome, ok.body.applied, ok.body.evidence.disparity.status]).toEqual(['promoted', true, 'passed']);
    expect(ok.body.reason).toContain(`; disparity gate passed: demographic_parity_difference on 'sex': challenger v4 ${0.35 - 0.25} vs champion v1 ${0.3 - 0.2}`);
    expect((await call('GET', `/registered-models/${model}/aliases/champion`)).body.version).toBe(4);
    const audit = (await call('GET', `/registered-models/${model}/audit`)).body.filter((a: { action: string }) => a.action === 'promotion_policy.set');
    expect(audit[0].after.fairness).toEqual(policy.body.fairness);
  });
});

describe('versions and models keep signature, lineage, tags and descriptions', () => {
  it('returns what was registered and applies audited description/tag updates', async () => {
    const model = modelName('meta');
    const reg = registration('meta-1', { roc_auc: 0.75 }, EVAL, { description: 'first', tags: { team: 'ml' } });
    const created = await call('POST', `/registered-models/${model}/versions`, reg);
    expect(created.body.signature).toEqual({
      inputs: [{ name: 'input', type: 'float32', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'probability', type: 'float32', datatype: 'FP32', shape: [-1, 1] }],
    });
    const lineage = (reg as { lineage: Record<string, unknown> }).lineage;
    expect(created.body.lineage).toEqual({
      ...lineage,
      featureViews: [{ name: 'zone_trip_stats' }, { name: 'zone_fares', materializationId: 'mat-7' }],
      evaluation: { ...EVAL, digest: sha(`nyc-taxi@v2020-01:${'c'.repeat(64)}\nsplit:2020-01-01T00:00:00Z`) },
    });
    expect([created.body.workflowId, created.body.runId, created.body.description, created.body.tags]).toEqual(['train:wf:meta-1', 'meta-1', 'first', { team: 'ml' }]);

    const v = await call('PATCH', `/registered-models/${model}/versions/1`, { description: 'validated', tags: { team: 'ml', stage: 'prod' } }, { 'x-strata-actor': 'bob' });
    expect([v.status, v.body.description, v.body.tags, v.body.artifactSha256]).toEqual([200, 'validated', { team: 'ml', stage: 'prod' }, reg['artifactSha256']]);
    const m = await call('PATCH', `/registered-models/${model}`, { description: 'tip classifier', tags: { domain: 'taxi' } });
    expect([m.body.description, m.body.tags]).toEqual(['tip classifier', { domain: 'taxi' }]);
    expect((await call('PATCH', `/registered-models/${model}`, {})).status).toBe(400);
    const audit = (await call('GET', `/registered-models/${model}/audit`)).body.map((a: { action: string; actor: string }) => [a.action, a.actor]);
    expect(audit.slice(-2)).toEqual([
      ['model_version.update', 'bob'],
      ['registered_model.update', 'anonymous'],
    ]);
  });
});

describe('native tracking API', () => {
  it('records experiments and runs with step series, NaN, logs, artifacts, and searches them', async () => {
    const exp = await call('POST', '/experiments', { name: `native-${runTag}`, tags: { team: 'x' } });
    expect(exp.status).toBe(201);
    expect((await call('POST', '/experiments', { name: `native-${runTag}` })).status).toBe(409);
    const run = await call('POST', '/runs', { experimentName: `native-${runTag}`, runName: 'r1', params: { lr: '0.1' } }, { 'x-strata-actor': 'training-service' });
    expect(run.body).toEqual(expect.objectContaining({ experimentId: exp.body.experimentId, runName: 'r1', userId: 'training-service', status: 'RUNNING', endTime: null, params: { lr: '0.1' } }));
    const id = run.body.runId as string;
    const logged = await call('POST', `/runs/${id}/log-batch`, {
      metrics: [
        { key: 'loss', value: 0.5, step: 0, timestamp: 1000 },
        { key: 'loss', value: 0.25, step: 1, timestamp: 2000 },
        { key: 'loss', value: 'Infinity', step: 2, timestamp: 3000 },
        { key: 'acc', value: 0.875, step: 1, timestamp: 2000 },
      ],
      tags: { phase: 'train' },
    });
    expect(logged.body.latestMetrics).toEqual({ loss: { key: 'loss', value: 'Infinity', step: 2, timestamp: 3000 }, acc: { key: 'acc', value: 0.875, step: 1, timestamp: 2000 } });
    expect((await call('GET', `/runs/${id}/metrics/loss/history`)).body).toEqual([
      { key: 'loss', value: 0.5, step: 0, timestamp: 1000 },
      { key: 'loss', value: 0.25, step: 1, timestamp: 2000 },
      { key: 'loss', value: 'Infinity', step: 2, timestamp: 3000 },
    ]);
    expect((await call('POST', `/runs/${id}/log-batch`, { params: { lr: '0.2' } })).body.error).toBe(
      `Changing param values is not allowed. Param with key='lr' was already logged with value='0.1' for run ID='${id}'. Attempted logging new value '0.2'.`,
    );
    expect((await call('POST', `/runs/${id}/log-batch`, { metrics: [{ key: 'x', value: 'lots' }] })).status).toBe(400);
    await call('POST', `/runs/${id}/log`, { text: 'epoch 1\n' });
    await call('POST', `/runs/${id}/log`, { text: 'epoch 2\n' });
    expect((await call('GET', `/runs/${id}/log`)).text).toBe('epoch 1\nepoch 2\n');
    const a = artifact('elsewhere/model.onnx', 'abc');
    expect((await call('POST', `/runs/${id}/artifacts`, { path: 'model/model.onnx', uri: a.uri, sha256: a.sha256, sizeBytes: 3 })).body).toEqual([
      { path: 'model/model.onnx', uri: a.uri, sha256: a.sha256, sizeBytes: 3 },
    ]);
    const done = await call('PATCH', `/runs/${id}`, { status: 'FINISHED', endTime: 5000 });
    expect([done.body.status, done.body.endTime]).toEqual(['FINISHED', 5000]);
    const run2 = await call('POST', '/runs', { experimentId: exp.body.experimentId, runName: 'r2' });
    await call('POST', `/runs/${run2.body.runId}/log-batch`, { metrics: [{ key: 'acc', value: 0.5 }] });
    const search = async (filter: string, orderBy?: string[]): Promise<string[]> =>
      (await call('POST', '/runs/search', { experimentIds: [exp.body.experimentId], filter, ...(orderBy ? { orderBy } : {}) })).body.runs.map((r: { runName: string }) => r.runName);
    expect(await search('metrics.acc >= 0.5', ['metrics.acc DESC'])).toEqual(['r1', 'r2']);
    expect(await search("metrics.acc > 0.5 and attributes.status = 'FINISHED' and tags.phase = 'train'")).toEqual(['r1']);
    expect(await search("params.lr IN ('0.1', '0.3')")).toEqual(['r1']);
    expect(await search("attributes.run_name LIKE 'r%'", ['attributes.run_name ASC'])).toEqual(['r1', 'r2']);
    const bad = await call('POST', '/runs/search', { experimentIds: [exp.body.experimentId], filter: 'metrics.acc > high' });
    expect([bad.status, bad.body.error]).toEqual([400, "Invalid filter 'metrics.acc > high': expected a quoted string or a number after 'metrics.acc >', got 'high'"]);
  });
});

describe("a version's MLflow run_id is its tracked run (issue #18)", () => {
  it('stores sourceRunId, answers it as run_id so runs/get finds the run, and refuses an unknown one with 400', async () => {
    const model = modelName('source-run');
    expect((await call('POST', '/experiments', { name: `source-${runTag}` })).status).toBe(201);
    const run = await call('POST', '/runs', { experimentName: `source-${runTag}`, runName: 'trained', params: { l2: '0.01' } });
    expect(run.status).toBe(201);
    const tracked = run.body.runId as string;
    const reg = await call('POST', `/registered-models/${model}/versions`, registration('train-run-1', { roc_auc: 0.8 }, EVAL, { sourceRunId: tracked }));
    expect([reg.status, reg.body.runId, reg.body.sourceRunId]).toEqual([201, 'train-run-1', tracked]);
    const mv = await call('GET', `/api/2.0/mlflow/model-versions/get?name=${model}&version=1`);
    expect(mv.body.model_version.run_id).toBe(tracked);
    const got = await call('GET', `/api/2.0/mlflow/runs/get?run_id=${mv.body.model_version.run_id}`);
    expect([got.status, got.body.run.info.run_id, got.body.run.info.run_name]).toEqual([200, tracked, 'trained']);
    // without sourceRunId the run_id stays the training run's id (earlier versions)
    await call('POST', `/registered-models/${model}/versions`, registration('train-run-2', { roc_auc: 0.8 }));
    expect((await call('GET', `/api/2.0/mlflow/model-versions/get?name=${model}&version=2`)).body.model_version.run_id).toBe('train-run-2');
    const unknown = await call('POST', `/registered-models/${model}/versions`, registration('train-run-3', { roc_auc: 0.8 }, EVAL, { sourceRunId: 'f'.repeat(32) }));
    expect([unknown.status, unknown.body.error]).toEqual([400, `sourceRunId '${'f'.repeat(32)}' is not a tracked run of this registry (POST /runs creates one)`]);
  });
});

describe('closed loop: a policy rollout for each new challenger, decided on live evidence', () => {
  async function rolloutActions(model: string): Promise<Array<[string, number | null, number | null]>> {
    const rows: Array<{ payload: Buffer }> = await ds.query(`SELECT payload FROM "${schema}".outbox_event WHERE key = $1 AND topic = $2 ORDER BY seq`, [model, 'strata.registry.model-rollout-changed.v1']);
    return rows.map((r) => {
      const v = JSON.parse(r.payload.toString('utf8'));
      return [v.action, v.route?.championVersion ?? null, v.route?.challengerVersion ?? null];
    });
  }

  it('starts a canary when the challenger is set, promotes on a live win, rolls back on a live loss; refuses undecidable and stale evidence', async () => {
    const m = modelName('loop');
    expect((await call('POST', `/registered-models/${m}/versions`, registration(`${m}-r1`, { roc_auc: 0.7 }))).status).toBe(201);
    expect((await call('POST', `/registered-models/${m}/versions`, registration(`${m}-r2`, { roc_auc: 0.6 }))).status).toBe(201);
    const policy = await call('PUT', `/registered-models/${m}/promotion-policy`, {
      metric: 'roc_auc',
      direction: 'maximize',
      minMargin: 0.03125,
      rollout: { mode: 'canary', challengerWeight: 0.5, minLabeledPerVersion: 100 },
    });
    expect(policy.status).toBe(200);
    expect(policy.body.rollout).toEqual({ mode: 'canary', challengerWeight: 0.5, stickyKey: null, minLabeledPerVersion: 100 });
    expect(RegistryApi.setPromotionPolicy.response.parse(policy.body).rollout?.stickyKey).toBeNull();

    // The challenger alias starts the canary in the same transaction (no offline decision).
    const set = await call('PUT', `/registered-models/${m}/aliases/challenger`, { version: 2, reason: 'retrained on drift' }, { 'x-strata-actor': 'training:retrain' });
    expect(set.status).toBe(200);
    expect(set.body.promotionDecision).toBeUndefined();
    const first = set.body.rollout.rollout;
    expect(first).toMatchObject({ status: 'active', mode: 'canary', championVersion: 1, challengerVersion: 2, challengerWeight: 0.5 });
    expect((await call('GET', `/models/${m}/rollouts/current`)).body.rolloutId).toBe(first.rolloutId);

    const decide = (body: Record<string, unknown>): Promise<Reply> => call('POST', `/registered-models/${m}/rollouts/current/decision`, body, { 'x-strata-actor': 'monitoring:rollout-evaluator' });
    // Too few labels: 409, nothing recorded, the canary goes on.
    const early = await decide({ rolloutId: first.rolloutId, championValue: 0.75, challengerValue: 0.8125, championLabeled: 99, challengerLabeled: 150 });
    expect(early.status).toBe(409);
    expect(early.body.error).toContain('not decidable yet');
    expect((await call('GET', `/registered-models/${m}/promotion-decisions`)).body.decisions).toHaveLength(0);
    // Evidence for another rollout: 409.
    expect((await decide({ rolloutId: 'not-the-active-one', championValue: 0.75, challengerValue: 0.8125, championLabeled: 150, challengerLabeled: 150 })).status).toBe(409);

    // A live win by 0.0625 ≥ margin 0.03125: promoted, champion → 2, rollout ended as promoted.
    const win = await decide({ rolloutId: first.rolloutId, championValue: 0.75, challengerValue: 0.8125, championLabeled: 150, challengerLabeled: 140 });
    expect(win.status).toBe(201);
    expect(win.body.decision).toMatchObject({
      outcome: 'promoted',
      applied: true,
      trigger: 'live-rollout',
      championVersion: 1,
      challengerVersion: 2,
      championValue: 0.75,
      challengerValue: 0.8125,
      improvement: 0.0625,
      challengerEvaluationDigest: `live-rollout:${first.rolloutId}`,
      championEvaluationDigest: `live-rollout:${first.rolloutId}`,
      actor: 'monitoring:rollout-evaluator',
    });
    expect(win.body.rollout).toMatchObject({ status: 'promoted', route: null });
    expect((await call('GET', `/registered-models/${m}/aliases/champion`)).body.version).toBe(2);

    // The next challenger gets a fresh canary (champion 2 → challenger 3); a live loss rolls it back.
    expect((await call('POST', `/registered-models/${m}/versions`, registration(`${m}-r3`, { roc_auc: 0.9 }))).status).toBe(201);
    const second = (await call('PUT', `/registered-models/${m}/aliases/challenger`, { version: 3 })).body.rollout.rollout;
    expect(second).toMatchObject({ status: 'active', championVersion: 2, challengerVersion: 3 });
    expect(second.rolloutId).not.toBe(first.rolloutId);
    const loss = await decide({ rolloutId: second.rolloutId, championValue: 0.8125, challengerValue: 0.75, championLabeled: 100, challengerLabeled: 100 });
    expect(loss.status).toBe(201);
    expect(loss.body.decision).toMatchObject({ outcome: 'rejected', applied: true, improvement: -0.0625 });
    expect(loss.body.decision.reason).toContain('is not positive');
    expect(loss.body.rollout).toMatchObject({ status: 'rolled-back', route: null });
    expect((await call('GET', `/registered-models/${m}/aliases/champion`)).body.version).toBe(2);
    expect((await call('GET', `/models/${m}/rollouts/current`)).status).toBe(404);

    expect(await rolloutActions(m)).toEqual([
      ['started', 1, 2],
      ['promoted', null, null],
      ['started', 2, 3],
      ['rolled-back', null, null],
    ]);
    const decisions = (await call('GET', `/registered-models/${m}/promotion-decisions`)).body.decisions as Array<{ outcome: string }>;
    expect(decisions.map((d) => d.outcome)).toEqual(['rejected', 'promoted']);
  });
});
