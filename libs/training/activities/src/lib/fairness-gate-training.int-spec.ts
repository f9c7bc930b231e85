/**
 * @jest-environment ../../../libs/shared/testing/src/onnxruntime-environment.cjs
 *
 * The offline fairness gate end to end (issue #17): the real training activities (train →
 * evaluate → register, the path of the training workflow) on 6,000 rows of the UCI Adult census
 * data (../shared/datasets/uci-adult/adult.data.csv, read in place), against the REAL registry
 * service (a process on this helper's port 3451, fresh PostgreSQL schema, real Kafka), whose
 * promotion policy carries a demographic parity margin on `sex`.
 *
 * - v1 (age, hours per week, education, sex) is registered: the first version is the champion;
 * - the policy is set: recall, maximize, fairness `demographic_parity_difference` on `sex`,
 *   maxWidening 0.05;
 * - v2, the same model trained on a training set built with a label bias in its TRAINING slice
 *   (men with a bachelor's degree or more recorded as >50K): better recall, but its selection-rate
 *   gap between men and women widens by 0.151 > 0.05 → the decision refuses it, both sides'
 *   numbers recorded in the decision's evidence;
 * - v3 adds `occupation` and `workclass` on the unbiased set: better recall, gap widened by 0.007
 *   → promoted.
 *
 * The two training sets are built from the same dataset version with the same split and share
 * their evaluation slice row for row, so the registry's same-evaluation-data rule holds (each
 * version's lineage records which training set it used). The expected gaps are computed here from
 * the counts (selection rate = predicted positives / predictions, fairlearn's definition).
 * The features service is a small local HTTP server answering `GET /feature-views`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DataSource } from 'typeorm';
import { EventPublisher } from '@strata/messaging';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { REPO_ROOT, dropSchemas, migratedSchema, startService, uniqueName, waitReady, type RunningService } from '@strata/shared/testing';
import { groupRatesOf, disparity, type GroupCounts } from '@strata/shared/util-model-evaluation';
import { TRAINING_ENTITIES, TRAINING_MIGRATIONS, TrainingRunEntity } from '@strata/training/data-access';
import type { TrainingSetRef } from './activity.types';
import { createTrainingActivities } from './training.activities';

jest.setTimeout(300_000);

const ADULT = path.join(REPO_ROOT, '../shared/datasets/uci-adult/adult.data.csv');
const ROWS = 6000;
/** Rows 1..4800 train (hour < 4800), 4801..6000 evaluate. */
const SPLIT = new Date(Date.UTC(2024, 0, 1) + 4800 * 3_600_000).toISOString();
const REGISTRY_PORT = 3451; // this helper's port block (3450-3489)
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

type Reply = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('offline fairness gate: real training → real registry → promotion refused / promoted (UCI Adult)', () => {
  const pgSchema = migratedSchema('training_fairgate', TRAINING_ENTITIES, TRAINING_MIGRATIONS);
  const registrySchema = uniqueName('registry_fairgate');
  const model = `adult-fair-${registrySchema.slice(-8).replace(/_/g, '-')}`;
  let dataSource: DataSource;
  let root: string;
  let store: LocalObjectStore;
  let file: { id: string; uri: string; sha256: string };
  let biased: { id: string; uri: string; sha256: string };
  let features: http.Server;
  let featuresUrl: string;
  let registry: RunningService;

  const call = async (method: string, url: string, body?: unknown): Promise<Reply> => {
    const res = await fetch(`${registry.baseUrl}${url}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    dataSource = await pgSchema.open();
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-training-fairgate-'));
    store = new LocalObjectStore(root);
    registry = startService('registry', REGISTRY_PORT, { REGISTRY_DB_SCHEMA: registrySchema, STRATA_DATA_DIR: root });
    // The training set as the features service writes it: full feature names, an hourly event time, '?' = missing.
    const parquet = path.join(root, 'training-sets', 'adult-6000.parquet');
    const biasedParquet = path.join(root, 'training-sets', 'adult-6000-biased.parquet');
    await fs.mkdir(path.dirname(parquet), { recursive: true });
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`SET TimeZone='UTC'`);
    const cols = ['age', 'workclass', 'fnlwgt', 'education', 'education_num', 'marital_status', 'occupation', 'relationship', 'race', 'sex', 'capital_gain', 'capital_loss', 'hours_per_week', 'native_country', 'income'];
    await c.run(`COPY (
      SELECT row_number() OVER () :: BIGINT AS person_id, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(row_number() OVER () - 1) AS event_timestamp,
             age::BIGINT AS person__age, hours_per_week::BIGINT AS person__hours_per_week, education_num::BIGINT AS person__education_num,
             sex AS person__sex, relationship AS person__relationship, marital_status AS person__marital_status,
             nullif(occupation, '?') AS person__occupation, nullif(workclass, '?') AS person__workclass, race, (income = '>50K') AS label
      FROM (SELECT ${cols.map((x) => `trim(${x}) AS ${x}`).join(', ')} FROM read_csv('${ADULT}', header = false, names = [${cols.map((x) => `'${x}'`).join(', ')}], all_varchar = true) LIMIT ${ROWS})
    ) TO '${parquet}' (FORMAT parquet)`);
    // The same rows with a label bias built into the TRAINING slice only: every man with a bachelor's
    // degree or more (education_num >= 13) recorded as earning >50K. The evaluation slice is untouched.
    await c.run(`COPY (
      SELECT * REPLACE (CASE WHEN event_timestamp < TIMESTAMPTZ '${SPLIT}' AND person__sex = 'Male' AND person__education_num >= 13 THEN true ELSE label END AS label)
      FROM read_parquet('${parquet}') ORDER BY person_id
    ) TO '${biasedParquet}' (FORMAT parquet)`);
    c.closeSync();
    db.closeSync();
    const ref = async (id: string, p: string) => ({ id, uri: pathToFileURL(p).href, sha256: createHash('sha256').update(await fs.readFile(p)).digest('hex') });
    file = await ref('ts-adult-6000', parquet);
    biased = await ref('ts-adult-6000-biased', biasedParquet);
    features = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify([{ kind: 'feature_view', name: 'person', entities: ['person_id'], features: [{ name: 'age', dtype: 'INT64' }, { name: 'sex', dtype: 'STRING' }] }]));
    });
    await new Promise<void>((r) => features.listen(0, '127.0.0.1', r));
    featuresUrl = `http://127.0.0.1:${(features.address() as AddressInfo).port}`;
    await waitReady(registry);
  });

  afterAll(async () => {
    await registry?.stop();
    await new Promise((r) => features?.close(r));
    await pgSchema.drop();
    await dropSchemas(registrySchema);
    await fs.rm(root, { recursive: true, force: true });
  });

  const datasetVersions = [{ datasetName: 'adult_census', versionId: 'adult.data-6000', contentSha256: 'a'.repeat(64) }];

  /** train → evaluate → register, as the training workflow chains the activities; returns the version and its evaluation. */
  const COLUMNS = ['person_id', 'event_timestamp', 'person__age', 'person__hours_per_week', 'person__education_num', 'person__sex', 'person__relationship', 'person__marital_status', 'person__occupation', 'person__workclass', 'race', 'label'];

  async function trainVersion(features: string[], set = file): Promise<{ version: number; recall: number; sex: GroupCounts[]; segments: Record<string, { column: string; buckets?: number[]; groups: GroupCounts[] }> }> {
    const runId = randomUUID();
    await dataSource.getRepository(TrainingRunEntity).insert({
      runId, workflowId: `train:${model}:${runId}`, modelName: model, requestId: runId, status: 'RUNNING', trainer: 'logistic_regression',
      trainingSet: 'adult_income', reason: 'manual', params: { l2: 0.01 }, evaluation: {}, datasetVersions,
    } as never);
    const sut = createTrainingActivities({
      featuresUrl, registryUrl: registry.baseUrl, ingestionUrl: 'http://127.0.0.1:1', objectStore: store, dataSource,
      publisher: new EventPublisher({ serviceName: 'training' }), logger: silent, codeVersion: '0.1.0',
    });
    const trainingSet: TrainingSetRef = { ...set, rowCount: ROWS, columns: COLUMNS, featureRefs: features.map((f) => `person:${f}`) };
    const out = await sut.trainModel({ runId, modelName: model, trainer: 'logistic_regression', params: { l2: 0.01 }, trainingSet, splitTime: SPLIT });
    expect([out.trainRows, out.evalRows]).toEqual([4800, 1200]);
    const evaluated = await sut.evaluateModel({ runId, modelName: model, artifactUri: out.artifactUri, artifactSha256: out.artifactSha256, trainingSet, featureNames: out.featureNames, splitTime: out.splitTime });
    const { modelVersion } = await sut.registerModelVersion({
      runId, workflowId: `train:${model}:${runId}`, modelName: model, trainer: 'logistic_regression',
      artifactUri: out.artifactUri, artifactSha256: out.artifactSha256, referenceProfileUri: out.referenceProfileUri, referenceProfileSha256: out.referenceProfileSha256,
      metrics: evaluated.metrics, params: { l2: 0.01 }, datasetVersions, featureViews: ['person'],
      trainingSet: { name: 'adult_income', id: trainingSet.id, uri: trainingSet.uri, sha256: trainingSet.sha256 },
      evaluation: { splitTime: out.splitTime, ...(evaluated.segments ? { segments: evaluated.segments } : {}) },
    });
    return { version: modelVersion, recall: evaluated.metrics['recall']!, sex: evaluated.segments!['sex']!.groups, segments: evaluated.segments! };
  }

  const dpd = (groups: GroupCounts[]): number => disparity('demographic_parity_difference', groups.map(groupRatesOf), 30).value!;

  it('refuses the challenger that widens the sex gap beyond the margin (numbers in the decision), then promotes one within it', async () => {
    const v1 = await trainVersion(['age', 'hours_per_week', 'education_num', 'sex']);
    expect(v1.version).toBe(1);
    expect((await call('GET', `/registered-models/${model}/aliases/champion`)).body.version).toBe(1);
    const policy = await call('PUT', `/registered-models/${model}/promotion-policy`, { metric: 'recall', direction: 'maximize', autoPromote: false, fairness: { segment: 'sex', metric: 'demographic_parity_difference', maxWidening: 0.05, minCount: 30 } });
    expect([policy.status, policy.body.fairness]).toEqual([200, { segment: 'sex', metric: 'demographic_parity_difference', maxWidening: 0.05, maxValue: null, minValue: null, minCount: 30, significantOnly: false }]);

    const v2 = await trainVersion(['age', 'hours_per_week', 'education_num', 'sex'], biased);
    const v3 = await trainVersion(['age', 'hours_per_week', 'education_num', 'sex', 'occupation', 'workclass']);
    expect([v2.version, v3.version]).toEqual([2, 3]);
    // The evaluate step's per-group counts on the 1,200 evaluation rows (806 men, 394 women: python
    // Counter(sex of adult.data.csv rows 4801..6000)); the trainer is deterministic, so are they.
    const sr = (g: GroupCounts[]) => g.map((x) => [x.group, x.predictionCount, x.predictedPositiveCount]);
    expect(sr(v1.sex)).toEqual([['Male', 806, 141], ['Female', 394, 9]]);
    expect(sr(v2.sex)).toEqual([['Male', 806, 281], ['Female', 394, 18]]);
    expect(sr(v3.sex)).toEqual([['Male', 806, 155], ['Female', 394, 13]]);
    const gap1 = 141 / 806 - 9 / 394; // 0.1521
    const gap2 = 281 / 806 - 18 / 394; // 0.3029
    const gap3 = 155 / 806 - 13 / 394; // 0.1593
    expect([dpd(v1.sex), dpd(v2.sex), dpd(v3.sex)].map((x, i) => x - [gap1, gap2, gap3][i]!).every((d) => Math.abs(d) < 1e-12)).toBe(true);

    // v2: recall 0.531 vs 0.330 would promote it, but its gap widens by 0.151 > 0.05 → refused, numbers recorded
    const refused = await call('POST', `/registered-models/${model}/promotion-decisions`, { challengerVersion: 2, apply: true });
    expect([refused.status, refused.body.outcome, refused.body.applied]).toEqual([201, 'rejected', false]);
    expect([refused.body.challengerValue, refused.body.championValue]).toEqual([v2.recall, v1.recall]);
    expect(v2.recall).toBeGreaterThan(v1.recall);
    const d = refused.body.evidence.disparity;
    expect([d.status, d.passed, d.segment, d.metric, d.maxWidening, d.minCount, d.championVersion, d.challengerVersion]).toEqual(['widened', false, 'sex', 'demographic_parity_difference', 0.05, 30, 1, 2]);
    expect(Math.abs(d.championValue - gap1)).toBeLessThan(1e-12);
    expect(Math.abs(d.challengerValue - gap2)).toBeLessThan(1e-12);
    expect(Math.abs(d.widening - (gap2 - gap1))).toBeLessThan(1e-12);
    expect([d.challenger.max.group, d.challenger.min.group, d.challenger.significant]).toEqual(['Male', 'Female', true]);
    expect(d.challenger.groups.map((g: { group: string; selectionRate: number }) => [g.group, g.selectionRate])).toEqual([['Male', 281 / 806], ['Female', 18 / 394]]);
    expect(refused.body.reason).toBe(
      `recall ${v2.recall} (v2) vs ${v1.recall} (v1), maximize: improvement ${v2.recall - v1.recall} >= margin 0; refused by the disparity gate: demographic_parity_difference on 'sex': challenger v2 ${d.challengerValue} vs champion v1 ${d.championValue}, widening ${d.widening} > margin 0.05 (min count 30)`,
    );
    expect((await call('GET', `/registered-models/${model}/promotion-decisions/${refused.body.id}`)).body.evidence).toEqual(refused.body.evidence);
    expect((await call('GET', `/registered-models/${model}/aliases/champion`)).body.version).toBe(1);

    // v3: better recall, gap widened by 0.007 <= 0.05 → promoted
    const ok = await call('POST', `/registered-models/${model}/promotion-decisions`, { challengerVersion: 3, apply: true });
    expect([ok.body.outcome, ok.body.applied, ok.body.evidence.disparity.status]).toEqual(['promoted', true, 'passed']);
    expect(Math.abs(ok.body.evidence.disparity.widening - (gap3 - gap1))).toBeLessThan(1e-12);
    expect(ok.body.reason).toContain(`; disparity gate passed: demographic_parity_difference on 'sex': challenger v3 ${ok.body.evidence.disparity.challengerValue} vs champion v1 ${d.championValue}`);
    expect((await call('GET', `/registered-models/${model}/aliases/champion`)).body.version).toBe(3);
  });

  /** The evaluation rows' values of one CSV column (rows 4801..6000 of adult.data.csv), read here independently of DuckDB. */
  async function evalColumn(index: number): Promise<string[]> {
    const lines = (await fs.readFile(ADULT, 'utf8')).split('\n').filter((l) => l.trim() !== '');
    return lines.slice(4800, ROWS).map((l) => l.split(',')[index]!.trim());
  }

  it("buckets a numeric policy segment (age, edges 25/45/65) as monitoring's segment config does, and gates on the buckets", async () => {
    const gate = { segment: 'age', metric: 'demographic_parity_difference', maxWidening: null, maxValue: 0.2, minValue: null, minCount: 30, significantOnly: false, buckets: [25, 45, 65] };
    const policy = await call('PUT', `/registered-models/${model}/promotion-policy`, { metric: 'recall', direction: 'maximize', autoPromote: false, fairness: gate });
    expect([policy.status, policy.body.fairness]).toEqual([200, gate]);
    const bad = await call('PUT', `/registered-models/${model}/promotion-policy`, { metric: 'recall', direction: 'maximize', fairness: { ...gate, buckets: [45, 25] } });
    expect([bad.status, bad.body.error]).toEqual([400, expect.stringContaining('bucket edges must be strictly ascending')]);

    const v4 = await trainVersion(['age', 'hours_per_week', 'education_num', 'sex', 'occupation', 'workclass']);
    expect(v4.version).toBe(4);
    const age = v4.segments['age']!;
    expect([age.column, age.buckets]).toEqual(['person__age', [25, 45, 65]]);
    // the bucket counts, counted here from the CSV's age column
    const expected = new Map<string, number>();
    for (const a of await evalColumn(0)) {
      const x = Number(a);
      const b = x < 25 ? '<25' : x < 45 ? '[25,45)' : x < 65 ? '[45,65)' : '>=65';
      expected.set(b, (expected.get(b) ?? 0) + 1);
    }
    expect(new Map(age.groups.map((g) => [g.group, g.predictionCount]))).toEqual(expected);
    for (const g of age.groups) expect(g.tp + g.fp + g.tn + g.fn).toBe(g.predictionCount);
    const rates = age.groups.map(groupRatesOf);
    const dp = disparity('demographic_parity_difference', rates, 30);

    // v3 (the champion) has no age evaluation; maxValue needs only the challenger's value
    const d = await call('POST', `/registered-models/${model}/promotion-decisions`, { challengerVersion: 4, apply: false });
    const ev = d.body.evidence.disparity;
    expect([ev.segment, ev.championValue, ev.challengerValue, ev.maxValue]).toEqual(['age', null, dp.value, 0.2]);
    expect(ev.challenger.groups.map((g: { group: string }) => g.group).sort()).toEqual([...expected.keys()].sort());
    expect([ev.challenger.max.group, ev.challenger.min.group]).toEqual([dp.max!.group, dp.min!.group]);
    expect(dp.value!).toBeGreaterThan(0.2);
    expect([d.body.outcome, ev.status]).toEqual(['rejected', 'limit_exceeded']);
    expect(d.body.reason).toContain(`refused by the disparity gate: demographic_parity_difference on 'age': challenger v4 ${dp.value} vs champion v3 null, challenger value ${dp.value} > max value 0.2 (min count 30)`);
  });

  it('records race (the policy segment, not a model input) next to sex: the per-group table of a real Adult run', async () => {
    const gate = { segment: 'race', metric: 'demographic_parity_ratio', maxWidening: null, maxValue: null, minValue: 0.01, minCount: 30, significantOnly: false };
    expect((await call('PUT', `/registered-models/${model}/promotion-policy`, { metric: 'recall', direction: 'maximize', autoPromote: false, fairness: gate })).status).toBe(200);
    const v5 = await trainVersion(['age', 'hours_per_week', 'education_num', 'sex', 'occupation', 'workclass']);
    const race = v5.segments['race']!;
    const expected = new Map<string, number>();
    for (const r of await evalColumn(8)) expected.set(r, (expected.get(r) ?? 0) + 1);
    expect(new Map(race.groups.map((g) => [g.group, g.predictionCount]))).toEqual(expected);
    // same features as v3 on the same data: the same model, so the same sex counts
    expect(v5.sex).toEqual((await call('GET', `/registered-models/${model}/versions/3`)).body.lineage.evaluation.segments.sex.groups);
    const table = Object.fromEntries(
      (['sex', 'race'] as const).map((seg) => {
        const rates = v5.segments[seg]!.groups.map(groupRatesOf);
        return [seg, {
          groups: v5.segments[seg]!.groups.map((g, i) => ({ group: g.group, count: g.predictionCount, positiveRate: rates[i]!.selectionRate, tpr: rates[i]!.truePositiveRate, fpr: rates[i]!.falsePositiveRate, accuracy: (g.tp + g.tn) / g.predictionCount })),
          disparities: (['demographic_parity_difference', 'demographic_parity_ratio', 'equal_opportunity_difference', 'equalized_odds_difference', 'predictive_parity_difference'] as const).map((m) => {
            const d = disparity(m, rates, 30);
            return { metric: m, value: d.value, max: d.max, min: d.min, maxInterval: d.maxInterval, minInterval: d.minInterval, significant: d.significant, excluded: d.excludedGroups };
          }),
        }];
      }),
    );
    expect(table['race']!.groups.reduce((n, g) => n + g.count, 0)).toBe(1200);
    // the closing note's table: FAIRNESS_TABLE_OUT=<file> writes it
    if (process.env['FAIRNESS_TABLE_OUT']) await fs.writeFile(process.env['FAIRNESS_TABLE_OUT'], JSON.stringify({ model, version: v5.version, evalRows: 1200, table }, null, 2));
  });
});
