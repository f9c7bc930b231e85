/** @jest-environment ../../libs/shared/testing/src/onnxruntime-environment.cjs */
/**
 * Issue 15, model optimization, end to end through the real services: the training service and the
 * registry from source (real PostgreSQL schemas, Kafka, Temporal for readiness), the real optimizer
 * tool (tools/model-optimization/optimize_onnx.py in the `model-optimize` venv: ONNX Runtime's
 * quantize_dynamic and offline graph optimization).
 *
 * The parent: an sklearn MLP (examples/trainers/sklearn-logistic, `estimator: mlp`, exported with
 * skl2onnx) trained on UCI Adult (adult.data.csv, 6 numeric features) and registered with the lineage
 * training records: the training-set file (adult.data rows before the split, adult.test rows after it)
 * and the split time. Its evaluation set is therefore the 16,281 adult.test rows.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { DuckDBInstance } from '@duckdb/node-api';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { dropSchemas, infraEnv, pythonFor, repoRoot, startService, uniqueName, waitReady, type RunningService } from '@strata/shared/testing';
import { onnxSignature } from '@strata/training/util-trainers';

jest.setTimeout(600_000);

type Json = Record<string, unknown>;

async function json(method: string, url: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(420_000),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

const ADULT = path.resolve(repoRoot, '../shared/datasets/uci-adult');
const FEATURES = ['age', 'fnlwgt', 'education_num', 'capital_gain', 'capital_loss', 'hours_per_week'];
const COLUMNS = ['age', 'workclass', 'fnlwgt', 'education', 'education_num', 'marital_status', 'occupation', 'relationship', 'race', 'sex', 'capital_gain', 'capital_loss', 'hours_per_week', 'native_country', 'income'];
const SPLIT = '2021-01-01T00:00:00.000Z';
/** Rows of adult.data used to train (the first ones, to keep the sklearn fit short on a 2-core machine). */
const TRAIN_ROWS = 8000;
const MODEL = 'adult-mlp-opt';
const datasetVersions = [{ datasetName: 'uci-adult', versionId: 'v1', contentSha256: 'a'.repeat(64) }];
/** An MLP fed the raw features (no StandardScaler): fnlwgt (~1e5) sets the scale of the INT8 activations, so the small features are lost. */
const RAW_MODEL = 'adult-mlp-raw-opt';
const PARENTS: Record<string, Json> = {
  [MODEL]: { estimator: 'mlp', hidden: '256,128', max_iter: 15 },
  [RAW_MODEL]: { estimator: 'mlp', hidden: '64', max_iter: 10, scale: false },
};

describe('model optimization (real training service + registry + ONNX Runtime tool, UCI Adult MLP)', () => {
  const env = infraEnv();
  const trainingSchema = uniqueName('training_opt');
  const registrySchema = uniqueName('registry_opt');
  const registryPort = 3711;
  const trainingPort = 3712;
  let dataDir: string;
  let registry: RunningService | undefined;
  let training: RunningService | undefined;
  let evalRows = 0;
  let parentLineage: Json = {};
  let trainingSet: Json = {};
  const parents: Record<string, { uri: string; sha256: string; signature: unknown }> = {};
  const reg = (p: string) => `http://127.0.0.1:${registryPort}${p}`;
  const trn = (p: string) => `http://127.0.0.1:${trainingPort}${p}`;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-optimize-'));
    const work = path.join(dataDir, 'trainer-work');
    await fs.mkdir(work, { recursive: true });
    const setFile = path.join(dataDir, 'training-sets', 'adult-numeric.parquet');
    await fs.mkdir(path.dirname(setFile), { recursive: true });
    // The training set as the features service writes it: features, event_timestamp, label.
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`SET TimeZone='UTC'`);
    const cols = `{${COLUMNS.map((n) => `'${n}': 'VARCHAR'`).join(', ')}}`;
    const select = (file: string, skip: number, base: string, limit: string) => `
      SELECT ${FEATURES.map((f) => `CAST(TRIM(${f}) AS DOUBLE) AS ${f}`).join(', ')},
             TIMESTAMPTZ '${base}' + to_seconds(row_number() OVER () ) AS event_timestamp,
             CAST(TRIM(income) LIKE '>50K%' AS INTEGER) AS label
      FROM (SELECT * FROM read_csv('${ADULT}/${file}', header = false, skip = ${skip}, columns = ${cols}) WHERE income IS NOT NULL ${limit})`;
    await c.run(`COPY (${select('adult.data.csv', 0, '2020-01-01T00:00:00Z', `LIMIT ${TRAIN_ROWS}`)} UNION ALL ${select('adult.test.csv', 1, SPLIT, '')}) TO '${setFile}' (FORMAT parquet)`);
    await c.run(`COPY (SELECT ${FEATURES.join(', ')}, label FROM read_parquet('${setFile}') WHERE event_timestamp < TIMESTAMPTZ '${SPLIT}') TO '${work}/train.parquet' (FORMAT parquet)`);
    const counts = (await c.runAndReadAll(`SELECT count(*) FILTER (WHERE event_timestamp >= TIMESTAMPTZ '${SPLIT}')::INTEGER AS e, count(*) FILTER (WHERE event_timestamp < TIMESTAMPTZ '${SPLIT}')::INTEGER AS t FROM read_parquet('${setFile}')`)).getRowObjectsJson()[0]!;
    c.closeSync();
    db.closeSync();
    evalRows = Number(counts['e']);
    expect(Number(counts['t'])).toBe(TRAIN_ROWS);

    const store = new LocalObjectStore(dataDir);
    const setBytes = await fs.readFile(setFile);
    trainingSet = { name: 'adult_numeric', id: 'ts-adult-numeric', uri: `file://${setFile}`, sha256: createHash('sha256').update(setBytes).digest('hex') };
    // The parents: the example external trainer's MLPs, exported by skl2onnx.
    const trainer = pythonFor('sklearn');
    for (const [name, params] of Object.entries(PARENTS)) {
      await fs.writeFile(path.join(work, 'params.json'), JSON.stringify({ params, features: FEATURES, label: 'label' }));
      execFileSync(trainer, [path.join(repoRoot, 'examples/trainers/sklearn-logistic/train.py'), work], { stdio: 'ignore', timeout: 300_000 });
      const bytes = await fs.readFile(path.join(work, 'model.onnx'));
      const put = await store.put(`artifacts/${name}/parent/model.onnx`, bytes);
      parents[name] = { uri: put.uri, sha256: put.sha256, signature: onnxSignature(bytes) };
    }

    const python = pythonFor('model-optimize');
    registry = startService('registry', registryPort, { DATABASE_URL: env.databaseUrl, KAFKA_BROKERS: env.kafkaBrokers.join(','), REGISTRY_DB_SCHEMA: registrySchema, REGISTRY_KAFKA_GROUP_ID: registrySchema, STRATA_DATA_DIR: dataDir, STRATA_AUTH_MODE: 'off' });
    training = startService('training', trainingPort, {
      DATABASE_URL: env.databaseUrl,
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
      TEMPORAL_ADDRESS: env.temporalAddress,
      TRAINING_DB_SCHEMA: trainingSchema,
      TRAINING_KAFKA_GROUP_ID: trainingSchema,
      TRAINING_TASK_QUEUE: uniqueName('strata-training-opt'),
      TRAINING_WORKER_ENABLED: 'false',
      REGISTRY_URL: reg(''),
      STRATA_DATA_DIR: dataDir,
      STRATA_AUTH_MODE: 'off',
      TRAINING_OPTIMIZER_PYTHON: python,
    });
    await Promise.all([waitReady(registry), waitReady(training)]);
    for (const [name, params] of Object.entries(PARENTS)) {
      const parent = await json('POST', reg(`/registered-models/${name}/versions`), {
        runId: `run-${name}`,
        artifactUri: parents[name]!.uri,
        artifactSha256: parents[name]!.sha256,
        signature: parents[name]!.signature,
        metrics: {},
        params,
        lineage: { datasetVersions, trainingSet, evaluation: { datasetVersions, splitTime: SPLIT } },
        tags: { trainer: 'command:sklearn' },
      });
      expect({ status: parent.status, version: parent.body['version'] }).toEqual({ status: 201, version: 1 });
      if (name === MODEL) parentLineage = parent.body['lineage'] as Json;
    }
  });

  afterAll(async () => {
    await training?.stop();
    await registry?.stop();
    await dropSchemas(trainingSchema, registrySchema);
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  let int8: Json;

  it('dynamic INT8: registers a smaller child with lineage to its parent and the numbers measured on the parent evaluation set', async () => {
    const res = await json('POST', trn('/model-optimizations?wait=400'), { modelName: MODEL, version: 1, method: 'dynamic-int8', maxAccuracyDrop: 0.01 });
    expect({ status: res.status, error: res.body['error'] }).toEqual({ status: 201, error: null }); // an error answer's `error` is its message
    expect(res.body['status']).toBe('SUCCEEDED');
    expect(res.body['progress']).toBe(1);
    int8 = res.body['result'] as Json;
    const measured = int8['measured'] as { parent: Json; child: Json; evalRows: number; latencyRows: number };
    const decision = int8['decision'] as { accepted: boolean; accuracyDrop: number; rocAucDrop: number };
    process.stdout.write(`model optimization (dynamic-int8, Adult MLP 256-128): ${JSON.stringify({ measured, decision, sizeRatio: int8['sizeRatio'], latencySpeedup: int8['latencySpeedup'], timingsMs: int8['timingsMs'] })}\n`);
    expect(int8['parent']).toEqual({ name: MODEL, version: 1, artifactSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(int8['child']).toMatchObject({ name: MODEL, version: 2, created: true });
    expect(measured.evalRows).toBe(evalRows);
    expect(evalRows).toBe(16281);
    expect(measured.latencyRows).toBe(2000);
    // INT8 weights: MatMul weights are 1 byte instead of 4 (plus scales/zero points and the quantize nodes)
    expect(measured.child['sizeBytes']).toBeLessThan(0.4 * (measured.parent['sizeBytes'] as number));
    expect(int8['sizeRatio']).toBeCloseTo((measured.child['sizeBytes'] as number) / (measured.parent['sizeBytes'] as number), 12);
    expect(decision.accuracyDrop).toBeCloseTo((measured.parent['accuracy'] as number) - (measured.child['accuracy'] as number), 12);
    expect(decision.accepted).toBe(true);
    expect(Math.abs(decision.accuracyDrop)).toBeLessThanOrEqual(0.01);
    expect(measured.parent['accuracy']).toBeGreaterThan(0.76); // above the majority class (76.4% ≤50K in adult.test)

    const child = await json('GET', reg(`/registered-models/${MODEL}/versions/2`));
    const lineage = child.body['lineage'] as Json;
    expect(lineage['parent']).toEqual({ name: MODEL, version: 1, artifactSha256: (int8['parent'] as Json)['artifactSha256'], runId: `run-${MODEL}` });
    expect(lineage['optimization']).toMatchObject({ method: 'dynamic-int8', tool: 'onnxruntime', margins: { maxAccuracyDrop: 0.01, maxRocAucDrop: 0.01 }, childSizeBytes: measured.child['sizeBytes'], parentSizeBytes: measured.parent['sizeBytes'] });
    // same evaluation data → the promotion policy compares parent and child
    expect((lineage['evaluation'] as Json)['digest']).toBe((parentLineage['evaluation'] as Json)['digest']);
    expect(lineage['trainingSet']).toEqual(parentLineage['trainingSet']);
    expect(child.body['tags']).toMatchObject({ optimizedFrom: `${MODEL}@1`, optimization: 'dynamic-int8' });
    expect((child.body['metrics'] as Json)['accuracy']).toBe(measured.child['accuracy']);
    expect((child.body['metrics'] as Json)['optimization_size_bytes']).toBe(measured.child['sizeBytes']);
    const artifact = await fetch(reg(`/registered-models/${MODEL}/versions/2/artifact`));
    const bytes = Buffer.from(await artifact.arrayBuffer());
    expect(bytes.length).toBe(measured.child['sizeBytes']);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe((int8['child'] as Json)['artifactSha256']);
  });

  it('the same request again answers the same child version (idempotent per parent and method)', async () => {
    const res = await json('POST', trn('/model-optimizations?wait=400'), { modelName: MODEL, version: 1, method: 'dynamic-int8', maxAccuracyDrop: 0.01 });
    expect(res.status).toBe(201);
    expect((res.body['result'] as Json)['child']).toMatchObject({ version: 2, created: false, artifactSha256: (int8['child'] as Json)['artifactSha256'] });
  });

  it('refuses with 409 and the numbers when the drop exceeds the margin, and registers nothing', async () => {
    const res = await json('POST', trn('/model-optimizations?wait=400'), { modelName: RAW_MODEL, version: 1, method: 'dynamic-int8', maxAccuracyDrop: 0.01 });
    process.stdout.write(`model optimization refused (dynamic-int8, Adult MLP on raw features): ${JSON.stringify(res.body)}\n`);
    expect(res.status).toBe(409);
    expect(res.body['code']).toBe('CONFLICT');
    const details = res.body['details'] as { parent: Json; child: Json; margins: Json; accuracyDrop: number; rocAucDrop: number; evalRows: number; optimizationId: string };
    expect(details.margins).toEqual({ maxAccuracyDrop: 0.01, maxRocAucDrop: 0.01 });
    expect(details.evalRows).toBe(evalRows);
    expect(details.accuracyDrop).toBeCloseTo((details.parent['accuracy'] as number) - (details.child['accuracy'] as number), 12);
    expect(details.accuracyDrop).toBeGreaterThan(0.01);
    expect(String(res.body['error'])).toContain(`accuracy dropped by ${details.accuracyDrop.toFixed(6)}`);
    expect(String(res.body['error'])).toContain('nothing was registered');
    const job = await json('GET', trn(`/model-optimizations/${details.optimizationId}`));
    expect(job.body).toMatchObject({ status: 'REFUSED', result: null, error: { code: 'CONFLICT', httpStatus: 409 } });
    expect((await json('GET', reg(`/registered-models/${RAW_MODEL}/versions/2`))).status).toBe(404);
    // nothing stored either: the child artifact is written only after the decision
    await expect(fs.access(path.join(dataDir, 'artifacts', RAW_MODEL, 'optimized'))).rejects.toThrow('ENOENT');
  });

  it('graph optimization: a child with the same predictions registered as the next version', async () => {
    const res = await json('POST', trn('/model-optimizations?wait=400'), { modelName: MODEL, version: 1, method: 'graph', maxAccuracyDrop: 0 });
    expect(res.status).toBe(201);
    const result = res.body['result'] as Json;
    const measured = result['measured'] as { parent: Json; child: Json };
    process.stdout.write(`model optimization (graph, Adult MLP 256-128): ${JSON.stringify({ measured, latencySpeedup: result['latencySpeedup'] })}\n`);
    expect(result['child']).toMatchObject({ version: 3, created: true });
    expect(measured.child['accuracy']).toBe(measured.parent['accuracy']);
    expect((await json('GET', reg(`/registered-models/${MODEL}/versions/3`))).body['lineage']).toMatchObject({ parent: { name: MODEL, version: 1 }, optimization: { method: 'graph' } });
  });

  it('answers 400 naming a bad field and 404 for an unknown version', async () => {
    const bad = await json('POST', trn('/model-optimizations'), { modelName: MODEL, version: 1, method: 'int4', maxAccuracyDrop: 2 });
    expect(bad.status).toBe(400);
    expect(String(bad.body['error'])).toMatch(/method/);
    expect(String(bad.body['error'])).toMatch(/maxAccuracyDrop/);
    const missing = await json('POST', trn('/model-optimizations?wait=60'), { modelName: MODEL, version: 99, method: 'graph' });
    expect(missing.status).toBe(404);
    expect(String(missing.body['error'])).toContain('99');
  });
});
