/**
 * The Adult example (examples/adult) run through the `strata` CLI alone, from `strata init` to
 * monitoring (issue 18): the real bin (apps/cli/bin/strata.cjs) as a user runs it, in a project
 * folder of its own, against the six real services on this test's ports (6701-6706, the CLI
 * helper's block) over the shared stack (PostgreSQL database, consumer groups and Temporal task
 * queues of its own), enforced as `npm run up` runs them (`strata auth service-keys`).
 *
 * Steps: init (typed from the CSV) → the example's spec and feature repo (the user's edits) →
 * datasets apply/ingest/versions/quarantine → features plan/apply/materialize/get-online →
 * training-sets build → train (followed; the ONNX takes the raw category strings) → runs → models
 * → batch-score → segments-config (segments.yaml: sex, race) → predict with raw categories (one,
 * then a file replayed as of each row's event time) → feedback → monitor windows/drift/health →
 * fairness (disparities recomputed here from the replayed rows) → search → rollout
 * start/status/rollback. Every value asserted is a real
 * number of the data (row counts, quarantined rows, feature values of given persons).
 *
 * Bounded: every CLI call has a timeout, every wait is `eventually` with a deadline.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { operatorCredential } from '@strata/shared/data-access-strata-client';
import { type RunningService, REPO_ROOT, eventually, infraEnv, isolatedPlatform, startService, uniqueName, waitReady } from '@strata/shared/testing';
import { parse as parseYaml } from 'yaml';

jest.setTimeout(1_200_000);

const SERVICES = ['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'] as const;
/** First of six service ports (`ADULT_CLI_E2E_PORT_BASE` moves them, e.g. when several checkouts run this spec at once). */
const PORT_BASE = Number(process.env['ADULT_CLI_E2E_PORT_BASE'] ?? 6701);
const EXAMPLE = path.join(REPO_ROOT, 'examples/adult');
const FIXTURE = path.join(EXAMPLE, 'data/adult-4000.csv');
const BIN = path.join(REPO_ROOT, 'apps/cli/bin/strata.cjs');
const SPLIT = '2024-02-01T00:00:00.000Z';

type Row = Record<string, string>;
const rows: Row[] = (() => {
  const [header, ...lines] = fs.readFileSync(FIXTURE, 'utf8').trim().split('\n');
  const cols = header!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
})();
const accepted = rows.filter((r) => r['workclass'] !== '?');
const REQUEST_FIELDS = ['workclass', 'marital_status', 'occupation', 'relationship', 'sex', 'race'];
/** The model's STRING inputs: the raw request categories (applicant.yaml), one-hot encoded inside the ONNX graph. */
const CATEGORICAL = REQUEST_FIELDS.map((f) => `applicant__${f}_category`);
const predictBody = (r: Row): Record<string, unknown> => ({
  entities: { person_id: Number(r['person_id']) },
  request: Object.fromEntries(REQUEST_FIELDS.map((f) => [f, r[f]])),
  eventTime: new Date(Number(r['event_time']) * 1000).toISOString(),
});

describe('the Adult example through the strata CLI alone', () => {
  const env = infraEnv();
  const tag = uniqueName('cli');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cli-e2e-data-'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cli-e2e-'));
  const project = path.join(work, 'adult');
  const credentialsFile = path.join(work, 'creds', 'credentials.env');
  const urls = Object.fromEntries(SERVICES.map((s, i) => [`${s.toUpperCase()}_URL`, `http://127.0.0.1:${PORT_BASE + i}`]));
  const model = tag.replace(/_/g, '-').replace(/^cli/, 'adult-income');
  // a dataset name of its own: other runs announce versions of `adult_people` on the shared topics
  const dataset = tag.replace(/^cli/, 'adult_people');
  // a database, consumer groups (positioned at the topics' ends) and task queues of its own on the shared stack
  const platform = isolatedPlatform(env, tag);
  const databaseUrl = platform.databaseUrl;
  const running: RunningService[] = [];


  /** Runs the installed bin in the project folder; never throws (exit code is returned). */
  const strata = (args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { cwd: opts.cwd ?? project, env: { ...process.env, ...urls, STRATA_CREDENTIALS_FILE: credentialsFile, STRATA_API_KEY: '', STRATA_CLI_POLL_MS: '500', ...(opts.env ?? {}) }, timeout: opts.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
  /** stderr lines other than the CLI's note naming the credentials file it uses. */
  const errorLines = (stderr: string): string[] => stderr.trim().split('\n').filter((l) => !l.startsWith('strata: using the operator key from'));
  /** Runs a command that must succeed and returns its `--json` output, parsed. */
  const json = async <T = Record<string, unknown>>(args: string[]): Promise<T> => {
    const r = await strata([...args, '--json']);
    if (r.code !== 0) throw new Error(`strata ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${running.map((s) => `--- ${s.name}\n${s.output().slice(-1500)}`).join('\n')}`);
    return JSON.parse(r.stdout) as T;
  };

  beforeAll(async () => {
    await platform.create();
    const keys = await strata(['auth', 'service-keys', '--out', credentialsFile], { cwd: REPO_ROOT, env: { DATABASE_URL: databaseUrl } });
    expect(keys.code).toBe(0);
    const serviceEnv = {
      STRATA_AUTH_MODE: 'enforce',
      STRATA_API_KEY: undefined,
      ...platform.serviceEnv,
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
      TEMPORAL_ADDRESS: env.temporalAddress,
      STRATA_DATA_DIR: dataDir,
      // ~85 predictions per day of the replay: drift is computed per day window
      MONITORING_MIN_PREDICTIONS: '30',
      ...urls,
    };
    SERVICES.forEach((name, i) => running.push(startService(name, PORT_BASE + i, { ...serviceEnv, STRATA_API_KEY_FILE: path.join(path.dirname(credentialsFile), 'credentials', `${name}.key`) })));
    await Promise.all(running.map((s) => waitReady(s, 180_000)));
  });

  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop('SIGTERM')));
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
    await platform.drop();
  });

  let trainingSetUri: string;
  let version1: number;

  it('init writes a project typed from the CSV (epoch-second event time, text label with its positive class)', async () => {
    fs.mkdirSync(work, { recursive: true });
    const init = await strata(['init', 'adult', '--from-csv', FIXTURE, '--entity', 'person_id', '--timestamp', 'event_time', '--label', 'income', '--positive', '>50K', '--dataset', dataset, '--json'], { cwd: work });
    expect(init.code).toBe(0);
    expect((JSON.parse(init.stdout) as { files: string[] }).files.sort()).toEqual(['README.md', 'dataset.yaml', `feature_repo/${dataset}_features.yaml`, 'feature_repo/entities.yaml', 'feature_repo/training_set.yaml']);
    const spec = parseYaml(fs.readFileSync(path.join(project, 'dataset.yaml'), 'utf8')) as { columns: Array<{ name: string; type: string; format?: string }> };
    expect(spec.columns.find((c) => c.name === 'event_time')).toEqual({ name: 'event_time', type: 'TIMESTAMP', nullable: false, format: 'epoch_s' });
    expect(spec.columns.find((c) => c.name === 'occupation')?.type).toBe('STRING');
    expect(spec.columns.find((c) => c.name === 'age')?.type).toBe('INT64');
    expect(fs.readFileSync(path.join(project, 'feature_repo/training_set.yaml'), 'utf8')).toContain("(income = '>50K') AS label");
    // a second init refuses to overwrite: one line, exit 1
    const again = await strata(['init', 'adult', '--from-csv', FIXTURE, '--entity', 'person_id', '--timestamp', 'event_time'], { cwd: work });
    expect(again.code).toBe(1);
    expect(errorLines(again.stderr)).toHaveLength(1);
    expect(again.stderr).toContain('already exist');
    // the user's edits: the example's spec (checks) and feature repo (categories as request features)
    fs.rmSync(path.join(project, 'feature_repo'), { recursive: true });
    fs.cpSync(path.join(EXAMPLE, 'feature_repo'), path.join(project, 'feature_repo'), { recursive: true });
    fs.copyFileSync(path.join(EXAMPLE, 'dataset.yaml'), path.join(project, 'dataset.yaml'));
    for (const file of ['dataset.yaml', ...fs.readdirSync(path.join(project, 'feature_repo')).map((f) => `feature_repo/${f}`)]) {
      const text = fs.readFileSync(path.join(project, file), 'utf8');
      fs.writeFileSync(path.join(project, file), text.replace(/\badult_people\b/g, dataset));
    }
    fs.mkdirSync(path.join(project, 'data'));
    fs.copyFileSync(FIXTURE, path.join(project, 'data/adult-4000.csv'));
  });

  it('datasets: apply, ingest (quarantining unknown workclass), versions, quarantine download', async () => {
    await json(['datasets', 'apply', 'dataset.yaml']);
    const version = await json<{ versionId: string; rowCount: number; validation: { invalidRowCount: number } }>(['datasets', 'ingest', dataset, 'data/adult-4000.csv']);
    expect(version.rowCount).toBe(accepted.length);
    expect(version.validation.invalidRowCount).toBe(rows.length - accepted.length);
    expect(rows.length - accepted.length).toBe(262);
    const versions = await json<Array<{ versionId: string }>>(['datasets', 'versions', dataset]);
    expect(versions.map((v) => v.versionId)).toEqual([version.versionId]);
    const q = await json<{ rowCount: number }>(['datasets', 'quarantine', dataset, '--out', 'quarantined.csv']);
    expect(q.rowCount).toBe(262);
    const csv = fs.readFileSync(path.join(project, 'quarantined.csv'), 'utf8').trim().split('\n');
    expect(csv[0]!.startsWith('_row,_reasons,')).toBe(true);
    expect(csv).toHaveLength(263);
    expect(csv[1]).toContain('workclass');
  });

  it('features: plan, apply, materialize, get-online', async () => {
    const plan = await json<{ changes: Array<{ kind: string; name: string; action: string }> }>(['features', 'plan']);
    expect(plan.changes.filter((c) => c.action === 'create').map((c) => c.name).sort()).toEqual(['adult_income', 'applicant', 'person', 'person_profile']);
    await json(['features', 'apply']);
    expect((await json<{ changes: Array<{ action: string }> }>(['features', 'plan'])).changes.every((c) => c.action === 'unchanged')).toBe(true);
    const run = await json<{ status: string; rowCount: number }>(['features', 'materialize', 'person_profile', '--mode', 'full']);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.rowCount).toBe(accepted.length);
    const online = await json<{ metadata: { feature_names: string[] }; results: Array<{ values: unknown[]; statuses: string[] }> }>([
      'features', 'get-online', '--features', 'person_profile:age,person_profile:hours_per_week', '--entity', 'person_id=1,2',
    ]);
    expect(online.metadata.feature_names).toEqual(['person_id', 'age', 'hours_per_week']);
    expect(online.results[1]!.values.map(Number)).toEqual([39, 50]); // the first two census rows
    expect(online.results[2]!.values.map(Number)).toEqual([40, 13]);
    expect(online.results[1]!.statuses).toEqual(['PRESENT', 'PRESENT']);
  });

  it('training-sets build, train (followed to the version), runs, models', async () => {
    const set = await json<{ status: string; rowCount: number; uri: string }>(['training-sets', 'build', 'adult_income', '--dataset', dataset]);
    expect(set.status).toBe('SUCCEEDED');
    expect(set.rowCount).toBe(accepted.length);
    trainingSetUri = set.uri;
    const train = await strata(['train', '--model', model, '--training-set', 'adult_income', '--dataset', dataset, '--split-time', SPLIT, '--json']);
    expect(train.code).toBe(0);
    expect(train.stderr).toContain('training run');
    const run = JSON.parse(train.stdout) as { runId: string; status: string; modelVersion: number; metrics: Record<string, number> };
    expect(run.status).toBe('COMPLETED');
    version1 = run.modelVersion;
    expect(version1).toBe(1);
    expect(run.metrics['roc_auc']).toBeGreaterThan(0.8); // Adult with these features: ~0.85-0.9
    const runs = await json<Array<{ runId: string }>>(['runs', 'list', '--model', model]);
    expect(runs.map((r) => r.runId)).toContain(run.runId);
    expect((await json<{ runId: string }>(['runs', 'show', run.runId])).runId).toBe(run.runId);
    const models = await json<Array<{ name: string; aliases: Record<string, number> }>>(['models', 'list', '--search', model]);
    expect(models.find((m) => m.name === model)?.aliases).toEqual({ champion: 1 });
    const lineage = await json<{ lineage: { datasetVersions: Array<{ datasetName: string }>; trainingSet: unknown } }>(['models', 'lineage', model, 'champion']);
    expect(lineage.lineage.datasetVersions.map((d) => d.datasetName)).toEqual([dataset]);
    // the evaluation data (digested) and its per-group counts, one segment per categorical input (issue #17: the promotion policy's fairness gate reads them)
    const evaluation = (lineage.lineage as unknown as { evaluation: { digest: string; segments: Record<string, { column: string; groups: Array<{ predictionCount: number }> }> } }).evaluation;
    expect(evaluation.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(evaluation.segments).sort()).toEqual(REQUEST_FIELDS.map((f) => `${f}_category`).sort());
    for (const s of Object.values(evaluation.segments)) expect(s.groups.reduce((n, g) => n + g.predictionCount, 0)).toBe(run.metrics['rows']);
    // the registered signature: the numeric features in one FP32 input, one string input per raw category
    const registered = await json<{ signature: { inputs: Array<{ name: string; datatype: string; type: string; shape: number[] }> } }>(['models', 'show', model, '1']);
    expect(registered.signature.inputs).toEqual([
      { name: 'input', datatype: 'FP32', type: 'float32', shape: [-1, 5] },
      ...CATEGORICAL.map((name) => ({ name, datatype: 'BYTES', type: 'string', shape: [-1, 1] })),
    ]);
    const human = await strata(['models', 'versions', model]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/version\s+aliases\s+roc_auc/);
    // the version's MLflow run_id is the run's tracked run: runs/get finds it, with the run's metrics
    const key = operatorCredential({}, credentialsFile).key!;
    const mlflow = async (url: string): Promise<{ status: number; body: Record<string, any> }> => { // eslint-disable-line @typescript-eslint/no-explicit-any
      const r = await fetch(`${urls['REGISTRY_URL']}/api/2.0/mlflow/${url}`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(30_000) });
      return { status: r.status, body: (await r.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    const mv = await mlflow(`model-versions/get?name=${encodeURIComponent(model)}&version=1`);
    const runId = mv.body['model_version'].run_id as string;
    expect(runId).not.toBe(run.runId); // not the training run's id
    const tracked = await mlflow(`runs/get?run_id=${runId}`);
    expect(tracked.status).toBe(200);
    expect(tracked.body['run'].data.tags.find((t: { key: string }) => t.key === 'strata.training_run_id')?.value).toBe(run.runId);
  });

  it('batch-score over the training set, followed to its output', async () => {
    const job = await json<{ status: string; rowCount: number; modelVersion: number }>(['batch-score', model, '--input', trainingSetUri]);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.rowCount).toBe(accepted.length);
    expect(job.modelVersion).toBe(1);
  });

  const replay = accepted.filter((r) => Number(r['event_time']) * 1000 >= Date.parse(SPLIT));
  let predictions: Array<{ predictionId: string; probability: number; modelVersion: number; features: Record<string, number | string> }>;
  let oneProbability: number;

  it('predict with raw categories: one request, then the held-out rows replayed as of their event time', async () => {
    // segments first: they apply to predictions aggregated after the config is stored
    fs.copyFileSync(path.join(EXAMPLE, 'segments.yaml'), path.join(project, 'segments.yaml'));
    const config = await json<{ modelName: string; segments: Array<{ name: string; field: string }>; minCount: number }>(['monitor', 'segments-config', model, '--file', 'segments.yaml']);
    expect(config.modelName).toBe(model);
    expect(config.segments.map((x) => [x.name, x.field])).toEqual([['sex', 'applicant__sex_category'], ['race', 'applicant__race_category']]);
    expect(config.minCount).toBe(20);
    const shown = await strata(['monitor', 'segments-config', model, '--show']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/race\s+applicant__race_category\s+-\s+White, Black, Asian-Pac-Islander, Amer-Indian-Eskimo, Other/);
    const noFile = await strata(['monitor', 'segments-config', model, '--file', 'no-such.yaml']);
    expect(noFile.code).toBe(1);
    expect(errorLines(noFile.stderr)).toEqual(['strata: no-such.yaml: cannot read the segment config (ENOENT)']);

    const first = replay[0]!;
    const one = await json<{ probability: number; features: Record<string, number | string>; featureStatuses: Record<string, string> }>([
      'predict', model, '--entity', `person_id=${first['person_id']}`, ...REQUEST_FIELDS.flatMap((f) => ['--request', `${f}=${first[f]}`]), '--event-time', predictBody(first)['eventTime'] as string,
    ]);
    expect(one.probability).toBeGreaterThan(0);
    expect(one.probability).toBeLessThan(1);
    expect(one.features['person_profile__age']).toBe(Number(first['age']));
    REQUEST_FIELDS.forEach((f) => expect(one.features[`applicant__${f}_category`]).toBe(first[f])); // fed to the model as they came
    expect(Object.values(one.featureStatuses).every((s) => s === 'PRESENT')).toBe(true);
    // a missing request field is a one-line error naming it
    const bad = await strata(['predict', model, '--entity', `person_id=${first['person_id']}`, '--request', 'sex=Male']);
    expect(bad.code).toBe(1);
    expect(errorLines(bad.stderr)).toHaveLength(1);
    expect(errorLines(bad.stderr)[0]).toMatch(/^strata: request\.workclass: missing; .* \(HTTP 400 from POST \/models\/.*\/predict\)$/);

    fs.writeFileSync(path.join(project, 'requests.ndjson'), replay.map((r) => JSON.stringify(predictBody(r))).join('\n') + '\n');
    predictions = await json(['predict', model, '--file', 'requests.ndjson', '--concurrency', '4']);
    expect(predictions).toHaveLength(replay.length);
    expect(predictions[0]!.probability).toBeCloseTo(one.probability, 6); // same row, same features, same model
    oneProbability = one.probability;
    predictions.forEach((p, i) => expect(p.features['person_profile__hours_per_week']).toBe(Number(replay[i]!['hours_per_week'])));
    predictions.forEach((p, i) => expect(p.features['applicant__occupation_category']).toBe(replay[i]!['occupation']));
  });

  it('feedback, then monitor windows/drift/health: counts, labels, ROC AUC and a chart over the days', async () => {
    fs.writeFileSync(
      path.join(project, 'labels.ndjson'),
      predictions.map((p, i) => JSON.stringify({ predictionId: p.predictionId, label: replay[i]!['income'] === '>50K' ? 1 : 0, observedAt: predictBody(replay[i]!)['eventTime'] })).join('\n') + '\n',
    );
    expect((await json<{ sent: number }>(['feedback', model, '--file', 'labels.ndjson'])).sent).toBe(replay.length);
    const windows = await eventually(async () => {
      const w = await json<Array<{ predictionCount: number; labeledCount: number; performance: { rocAuc: number | null } | null; drift: unknown[] }>>(['monitor', 'windows', model, '--window', 'day']);
      const predicted = w.reduce((a, x) => a + x.predictionCount, 0);
      const labeled = w.reduce((a, x) => a + x.labeledCount, 0);
      if (predicted !== replay.length + 1 || labeled !== replay.length) throw new Error(`monitoring has ${predicted} predictions, ${labeled} labels`);
      return w;
    }, 180_000, 2000);
    expect(windows.length).toBeGreaterThanOrEqual(10); // 2024-02-01 .. 2024-02-11
    expect(windows.filter((w) => typeof w.performance?.rocAuc === 'number').length).toBeGreaterThanOrEqual(10);
    const drift = await strata(['monitor', 'drift', model, '--window', 'day']);
    expect(drift.code).toBe(0);
    expect(drift.stdout).toContain('person_profile__age');
    expect(drift.stdout).toMatch(/[┼┤]/); // the asciichart axis
    const chart = await strata(['monitor', 'windows', model, '--window', 'day']);
    expect(chart.stdout).toContain('ROC AUC per day');
    const health = await json<Array<{ requestCount: number }>>(['monitor', 'health', model, '--window', 'month']);
    expect(health.reduce((a, h) => a + h.requestCount, 0)).toBeGreaterThanOrEqual(replay.length);
  });

  it('fairness: per-week disparities for sex and race equal those computed here from the replayed rows and labels', async () => {
    type Group = { group: string; predictionCount: number; labeledCount: number };
    type Disparity = { metric: string; value: number | null; status: string; excludedGroups: Array<{ group: string; count: number }> };
    type Window = { windowStart: string; windowEnd: string; modelVersion: number; minCount: number; segments: Array<{ segment: string; groups: Group[]; disparities: Disparity[] }> };
    const windows = await eventually(async () => {
      const w = await json<Window[]>(['monitor', 'fairness', model, '--window', 'week']);
      const sex = w.flatMap((x) => x.segments.filter((s) => s.segment === 'sex').flatMap((s) => s.groups));
      const predicted = sex.reduce((a, g) => a + g.predictionCount, 0);
      const labeled = sex.reduce((a, g) => a + g.labeledCount, 0);
      if (predicted !== replay.length + 1 || labeled !== replay.length) throw new Error(`fairness has ${predicted} predictions, ${labeled} labels by sex`);
      return w;
    }, 120_000, 2000);
    // the scored rows: the single prediction (same row as the replay's first, unlabeled) and the replay (labeled)
    const scored = [
      { row: replay[0]!, p: oneProbability, label: null as number | null },
      ...predictions.map((p, i) => ({ row: replay[i]!, p: p.probability, label: replay[i]!['income'] === '>50K' ? 1 : 0 })),
    ].map((x) => ({ ...x, t: Number(x.row['event_time']) * 1000 }));
    /** max − min of a rate over the groups whose denominator holds ≥ minCount (fairness.ts), and the groups left out. */
    const spread = (groups: Map<string, { num: number; den: number }>, minCount: number) => {
      const eligible = [...groups.values()].filter((g) => g.den >= minCount).map((g) => g.num / g.den);
      const excluded = [...groups.entries()].filter(([, g]) => g.den < minCount).map(([group, g]) => ({ group, count: g.den })).sort((a, b) => a.group.localeCompare(b.group));
      return { value: eligible.length >= 2 ? Math.max(...eligible) - Math.min(...eligible) : null, excluded };
    };
    /** Per group of the window (every value it has predictions of): hits among the rows picked as the denominator. */
    const rates = (inWindow: typeof scored, column: string, pick: (x: (typeof scored)[number]) => boolean, hit: (x: (typeof scored)[number]) => boolean) => {
      const groups = new Map<string, { num: number; den: number }>(inWindow.map((x) => [x.row[column]!, { num: 0, den: 0 }]));
      for (const x of inWindow.filter(pick)) {
        const g = groups.get(x.row[column]!) ?? { num: 0, den: 0 };
        g.den += 1;
        if (hit(x)) g.num += 1;
        groups.set(x.row[column]!, g);
      }
      return groups;
    };
    expect(windows.map((w) => w.modelVersion)).toEqual(windows.map(() => 1));
    let compared = 0;
    for (const w of windows) {
      const inWindow = scored.filter((x) => x.t >= Date.parse(w.windowStart) && x.t < Date.parse(w.windowEnd));
      expect(inWindow.length).toBeGreaterThan(0);
      for (const segment of ['sex', 'race']) {
        const report = w.segments.find((s) => s.segment === segment)!;
        const metric = (m: string) => report.disparities.find((d) => d.metric === m)!;
        // demographic parity difference: selection rate (probability ≥ 0.5) over all predictions of a group
        const dp = spread(rates(inWindow, segment, () => true, (x) => x.p >= 0.5), w.minCount);
        // equal opportunity difference: true positive rate over the labeled positives of a group
        const eo = spread(rates(inWindow, segment, (x) => x.label === 1, (x) => x.p >= 0.5), w.minCount);
        for (const [name, mine] of [['demographic_parity_difference', dp], ['equal_opportunity_difference', eo]] as const) {
          const theirs = metric(name);
          if (mine.value === null) expect(theirs.value).toBeNull();
          else expect(theirs.value).toBeCloseTo(mine.value, 12);
          expect([...theirs.excludedGroups].sort((a, b) => a.group.localeCompare(b.group))).toEqual(mine.excluded);
          if (mine.value !== null) compared++;
        }
      }
    }
    // both segments have real disparities in some window (sex every week: ~1/3 of the rows are women)
    const sexDp = windows.map((w) => w.segments.find((s) => s.segment === 'sex')!.disparities.find((d) => d.metric === 'demographic_parity_difference')!.value);
    expect(sexDp.every((v) => typeof v === 'number' && v > 0)).toBe(true);
    expect(windows.some((w) => typeof w.segments.find((s) => s.segment === 'race')!.disparities.find((d) => d.metric === 'demographic_parity_difference')!.value === 'number')).toBe(true);
    expect(compared).toBeGreaterThanOrEqual(windows.length * 2);
    const human = await strata(['monitor', 'fairness', model, '--window', 'week']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/window\s+segment\s+metric\s+value\s+threshold\s+max \[95% CI\]\s+min \[95% CI\]\s+significant\s+excluded/);
    // the sex disparity's extreme groups with their 95% Wilson intervals, and its significance
    expect(human.stdout).toMatch(/sex\s+demographic_parity_difference\s+0\.\d{4}\*?\s+\S+\s+(Male|Female) 0\.\d{4} \[0\.\d{4}, 0\.\d{4}\]\s+(Male|Female) 0\.\d{4} \[0\.\d{4}, 0\.\d{4}\]\s+(yes|no)\s/);
    expect(human.stdout).toMatch(/\d{4}-\d{2}-\d{2} v1\s+sex\s+demographic_parity_difference\s+0\.\d{4}\s/);
    expect(human.stdout).toContain('demographic_parity_difference per week');
    const perGroup = await strata(['monitor', 'segments', model, '--window', 'week']);
    expect(perGroup.code).toBe(0);
    expect(perGroup.stdout).toMatch(/race\s+Black\s+\d+/);
  });

  it('search registers the best trial; a canary rollout of it starts, reports and rolls back', async () => {
    const search = await json<{ status: string; trialCount: number; completedTrials: number; modelVersion: number }>([
      'search', '--model', model, '--training-set', 'adult_income', '--dataset', dataset, '--split-time', SPLIT, '--space', 'l2=0.001,0.1', '--parallelism', '2',
    ]);
    expect(search.status).toBe('COMPLETED');
    expect(search.trialCount).toBe(2);
    expect(search.completedTrials).toBe(2);
    expect(search.modelVersion).toBe(2);
    const started = await json<{ status: string; challengerVersion: number; championVersion: number }>(['rollout', 'start', model, '--version', '2', '--weight', '0.5', '--reason', 'e2e canary']);
    expect(started).toMatchObject({ status: 'active', championVersion: 1, challengerVersion: 2 });
    const status = await json<{ rollout: { challengerWeight: number } }>(['rollout', 'status', model]);
    expect(status.rollout.challengerWeight).toBe(0.5);
    const ended = await json<{ status: string }>(['rollout', 'rollback', model, '--reason', 'e2e done']);
    expect(ended.status).toBe('rolled-back');
    expect((await json<{ aliases: Record<string, number> }>(['models', 'show', model])).aliases['champion']).toBe(1);
  });

  it('errors are one line with exit 1; --help has examples', async () => {
    const missing = await strata(['models', 'show', 'no-such-model-anywhere']);
    expect(missing.code).toBe(1);
    expect(errorLines(missing.stderr)).toHaveLength(1);
    expect(errorLines(missing.stderr)[0]).toMatch(/^strata: Registered model 'no-such-model-anywhere' not found \(HTTP 404 from GET \/registered-models\/no-such-model-anywhere\)$/);
    const help = await strata(['train', '--help']);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('--json');
  });
});
