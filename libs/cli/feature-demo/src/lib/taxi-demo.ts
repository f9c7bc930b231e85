import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type DatasetVersion, type DatasetVersionRef, type Materialization, type ModelVersion, type StrataClient, type TrainingRun } from '@strata/shared/data-access-strata-client';
import { parse as parseYaml } from 'yaml';
import type { DemoMonthRow, DemoStep, DemoSummary } from './demo-report';

/** Options of {@link runTaxiDemo}. */
export interface TaxiDemoOptions {
  client: StrataClient;
  /** Folder with yellow_tripdata_sample_<YYYY-MM>.csv (../shared/datasets/nyc-taxi-yellow-samples). */
  datasetsDir: string;
  /** Repository root (for examples/taxi). */
  repoRoot: string;
  /** Months the model is trained and evaluated on; the last one is the held-out slice. */
  trainMonths: string[];
  /** Months replayed through serving, in time order, with their labels sent as feedback. */
  replayMonths: string[];
  /** Use only the first N trips of each month (tests); all when undefined. */
  sampleRows?: number;
  modelName: string;
  /** Concurrent infer requests during the replay (default 4). */
  concurrency?: number;
  /** A name that makes training requests unique per run of the demo (default: content based). */
  runTag?: string;
  log: (line: string) => void;
  /** Overall bound on each wait (ms, default 600 000). */
  waitTimeoutMs?: number;
  /** Called after each replayed month with what was sent (tests recompute drift from it). */
  onReplay?: (replay: ReplayRecord) => void;
}

/** What the demo sent to serving for one replayed month. */
export interface ReplayRecord {
  month: string;
  featureNames: string[];
  trainingSetUri: string;
  rows: ReplayRow[];
  predictions: Array<{ predictionId: string; label: number; eventTime: string; probability: number }>;
}

const DATASET = 'nyc_taxi_trips';
const TRAINING_SET = 'big_tipper';

/** Thrown when a demo step fails; names the step and the cause. */
export class DemoStepError extends Error {
  override readonly name = 'DemoStepError';
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(`step '${step}' failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A terminal state seen while polling (a FAILED run or build): waiting longer cannot help. */
class TerminalStateError extends Error {
  override readonly name = 'TerminalStateError';
}

/**
 * Calls `fn` until it returns a value, for at most `timeoutMs`. Transient errors (a service
 * briefly unreachable) are retried; a {@link TerminalStateError} is rethrown at once.
 */
async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      if (e instanceof TerminalStateError) throw e;
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * The whole Strata flow on NYC taxi trips, through the real services (issue #4):
 * ingest each month → apply the feature repo → materialization on dataset-version events →
 * a Temporal training run (point-in-time training set, logistic regression → ONNX, evaluation,
 * registration; the first version becomes `champion`) → serving loads the champion → the
 * replay months are scored through Open Inference Protocol v2 in time order, labels sent as
 * feedback → monitoring's per-month drift (PSI) and performance.
 *
 * @returns the summary (also on failure, with `ok: false` and the failing step)
 */
export async function runTaxiDemo(options: TaxiDemoOptions): Promise<DemoSummary> {
  const { client, log } = options;
  const wait = options.waitTimeoutMs ?? 600_000;
  const started = Date.now();
  const summary: DemoSummary = { startedAt: new Date(started).toISOString(), ok: false, steps: [], months: [] };
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-demo-'));

  const step = async <T>(name: string, fn: (details: Record<string, unknown>) => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const details: Record<string, unknown> = {};
    log(`▶ ${name}`);
    try {
      const result = await fn(details);
      summary.steps.push({ step: name, status: 'ok', seconds: (Date.now() - t0) / 1000, details });
      return result;
    } catch (e) {
      const entry: DemoStep = { step: name, status: 'failed', seconds: (Date.now() - t0) / 1000, details, error: e instanceof Error ? e.message : String(e) };
      summary.steps.push(entry);
      throw new DemoStepError(name, e);
    }
  };

  try {
    await step('services ready', async (d) => {
      const report = await client.readiness();
      const down = Object.entries(report).filter(([, r]) => !('status' in r) || r.status !== 'ok');
      if (down.length) throw new Error(`not ready: ${down.map(([n, r]) => `${n} (${JSON.stringify(r)})`).join('; ')}`);
      d['services'] = Object.keys(report).length;
    });

    const versions = new Map<string, DatasetVersion>();
    const ingest = async (month: string): Promise<DatasetVersion> =>
      step(`ingest ${month}`, async (d) => {
        const file = sourceFile(options, month, workDir);
        const version = await client.registerDatasetFile(DATASET, `file://${file}`, 'csv', 'quarantine');
        versions.set(month, version);
        Object.assign(d, { versionId: version.versionId, rows: version.rowCount, sha256: version.contentSha256.slice(0, 12) });
        if (version.validation?.invalidRowCount) d['quarantined'] = version.validation.invalidRowCount;
        log(`  ${month}: version ${version.versionId}, ${version.rowCount} rows`);
        return version;
      });
    const waitMaterialized = async (month: string, version: DatasetVersion): Promise<void> =>
      step(`materialize ${month}`, async (d) => {
        // A dataset version is re-materialized with every later version: what counts is the
        // newest materialization per feature view (an earlier failed one may have been retried).
        const latest = await poll(
          `feature materialization of ${DATASET}@${version.versionId}`,
          async () => {
            const newest = new Map<string, Materialization>();
            for (const m of await client.listMaterializations({ datasetVersion: version.versionId })) {
              const prev = newest.get(m.featureView);
              if (!prev || (m.startedAt ?? '') > (prev.startedAt ?? '')) newest.set(m.featureView, m);
            }
            const failed = [...newest.values()].find((m) => m.status === 'FAILED');
            if (failed) throw new TerminalStateError(`materialization ${failed.id} of ${failed.featureView} FAILED: ${failed.error ?? 'unknown error'}`);
            return newest.size > 0 && [...newest.values()].every((m) => m.status === 'SUCCEEDED') ? newest : undefined;
          },
          wait,
        );
        d['featureViews'] = [...latest.values()].map((m) => `${m.featureView}:${m.rowCount ?? '?'} rows`).join(',');
      });

    await step('register dataset spec', async (d) => {
      const spec = parseYaml(fs.readFileSync(path.join(options.repoRoot, 'examples/taxi/dataset.yaml'), 'utf8')) as Record<string, unknown>;
      await client.putDataset(DATASET, spec);
      d['dataset'] = DATASET;
    });

    await step('apply feature repo', async (d) => {
      const dir = path.join(options.repoRoot, 'examples/taxi/feature_repo');
      const documents = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((file) => ({ file, content: fs.readFileSync(path.join(dir, file), 'utf8') }));
      const result = await client.applyFeatureRepo(documents);
      d['documents'] = documents.length;
      d['changes'] = Array.isArray(result.changes) ? result.changes.length : 0;
    });

    for (const month of options.trainMonths) {
      const v = await ingest(month);
      await waitMaterialized(month, v);
    }

    const trainRefs: DatasetVersionRef[] = options.trainMonths.map((m) => ({ datasetName: DATASET, versionId: versions.get(m)!.versionId }));
    const splitTime = `${options.trainMonths[options.trainMonths.length - 1]}-01T00:00:00.000Z`;
    const run = await step('train (Temporal workflow)', async (d) => {
      const requestId = options.runTag ?? trainRefs.map((r) => r.versionId).join('-');
      const startedRun = await client.startTrainingRun({
        modelName: options.modelName,
        trainer: 'logistic_regression',
        params: { l2: 1e-3, maxIterations: 100 },
        trainingSet: TRAINING_SET,
        trainDatasetVersions: trainRefs,
        evaluation: { splitTime },
        requestId,
      });
      d['workflowId'] = startedRun.workflowId;
      let lastLine = '';
      const finished = await poll<TrainingRun>(
        `training run ${startedRun.runId}`,
        async () => {
          const r = await client.getTrainingRun(startedRun.runId);
          const line = `  ${r.status} ${r.step ?? ''} ${r.progress !== undefined ? `${Math.round(r.progress * 100)}%` : ''}`;
          if (line !== lastLine) log((lastLine = line));
          if (r.status === 'FAILED' || r.status === 'CANCELLED') throw new TerminalStateError(`workflow ${r.workflowId} ${r.status}: ${typeof r.error === 'object' ? `${r.error.code}: ${r.error.message}` : (r.error ?? '')}`);
          return r.status === 'COMPLETED' ? r : undefined;
        },
        wait,
        1000,
      );
      Object.assign(d, { runId: finished.runId, modelVersion: finished.modelVersion });
      return finished;
    });

    const champion = await step('registry: champion alias', async (d) => {
      const trained = run.modelVersion;
      let v = await poll<ModelVersion>('the champion alias', async () => client.getModelVersionByAlias(options.modelName, 'champion'), 60_000);
      if (trained !== undefined && v.version !== trained) {
        // The registry gives `champion` to a model's first version only; a later run of the demo
        // promotes the version it trained, explicitly and audited.
        await client.setAlias(options.modelName, 'champion', trained, 'strata demo: promote the version this run trained', 'strata-demo');
        v = await client.getModelVersionByAlias(options.modelName, 'champion');
        d['promotedFrom'] = v.version === trained ? 'previous champion' : 'unchanged';
      }
      summary.model = {
        name: options.modelName,
        version: v.version,
        metrics: v.metrics,
        artifactUri: v.artifactUri,
        artifactSha256: v.artifactSha256,
        lineage: v.lineage,
        calibration: (run as { evaluationReport?: { calibration?: unknown } }).evaluationReport?.calibration,
      };
      Object.assign(d, { version: v.version, runId: v.runId ?? run.runId });
      return v;
    });

    const featureNames = await step('serving: champion loaded', async (d) => {
      await poll(
        `serving to load ${options.modelName}@${champion.version}`,
        async () => ((await client.serving.get(`/v2/models/${options.modelName}/versions/${champion.version}/ready`)) ? true : undefined),
        120_000,
      );
      const names = featureNamesOf(champion);
      d['features'] = names.length;
      return names;
    });

    for (const month of options.replayMonths) {
      const v = await ingest(month);
      await waitMaterialized(month, v);
      const row = await step(`replay ${month} through serving`, async (d) => {
        const build = await client.startTrainingSet(TRAINING_SET, [{ datasetName: DATASET, versionId: v.versionId }]);
        const set = await poll(`point-in-time features for ${month}`, async () => {
          const b = await client.getTrainingSet(build.id);
          if (b.status === 'FAILED') throw new TerminalStateError(`training-set build ${b.id} FAILED: ${b.error ?? ''}`);
          return b.status === 'SUCCEEDED' ? b : undefined;
        }, wait);
        const rows = await readRows(set.uri!, featureNames);
        const predictions = await replay(client, options, rows, featureNames, log, `${options.modelName}@${champion.version}:${month}`);
        d['predictions'] = predictions.length;
        options.onReplay?.({ month, featureNames, trainingSetUri: set.uri!, rows, predictions });
        await client.sendFeedback(predictions.map((p) => ({ predictionId: p.predictionId, modelName: options.modelName, label: p.label, observedAt: p.eventTime })));
        // Monitoring windows by event time (the pickup): a few trips in a month's file carry a
        // pickup time outside that month (real TLC data), and land in their own month's window.
        const inMonth = predictions.filter((p) => p.eventTime.startsWith(month)).length;
        d['outsideMonth'] = predictions.length - inMonth;
        const window = await poll(`monitoring to see ${inMonth} labeled predictions for ${month}`, async () => {
          const windows = await client.windows(options.modelName, 'month', champion.version);
          const w = windows.find((x) => x.windowStart.startsWith(month) && Number(x.modelVersion) === champion.version);
          return w && w.predictionCount >= inMonth && w.labeledCount >= inMonth ? w : undefined;
        }, wait, 1000);
        const result: DemoMonthRow = {
          month,
          predictions: window.predictionCount,
          labeled: window.labeledCount,
          rocAuc: window.performance?.rocAuc ?? null,
          accuracy: window.performance?.accuracy ?? null,
          logLoss: window.performance?.logLoss ?? null,
          datasetDrift: window.datasetDrift,
          driftedFeatures: window.drift.filter((f) => f.drifted).map((f) => f.feature),
          psi: Object.fromEntries(window.drift.map((f) => [f.feature, f.score])),
        };
        Object.assign(d, { rocAuc: result.rocAuc, drifted: result.driftedFeatures.length });
        return result;
      });
      summary.months.push(row);
    }
    summary.ok = true;
  } catch (e) {
    log(`✘ ${e instanceof Error ? e.message : String(e)}`);
    summary.ok = false;
  } finally {
    clearInterval(rssTimer);
    summary.finishedAt = new Date().toISOString();
    summary.wallSeconds = (Date.now() - started) / 1000;
    summary.peakRssBytes = peakRss;
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  return summary;
}

/** The month's CSV, or its first `sampleRows` trips copied into `workDir`. */
function sourceFile(options: TaxiDemoOptions, month: string, workDir: string): string {
  const file = path.join(options.datasetsDir, `yellow_tripdata_sample_${month}.csv`);
  if (!fs.existsSync(file)) throw new Error(`no data for ${month}: ${file} does not exist`);
  if (options.sampleRows === undefined) return file;
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out = path.join(workDir, path.basename(file));
  fs.writeFileSync(out, lines.slice(0, options.sampleRows + 1).join('\n') + '\n');
  return out;
}

/** Feature order of the model input: the ONNX metadata `strata.feature_names` recorded in the registry. */
export function featureNamesOf(version: ModelVersion): string[] {
  const sig = version.signature as { metadata?: Record<string, string> } | undefined;
  const raw = sig?.metadata?.['strata.feature_names'];
  if (!raw) throw new Error(`model version ${version.name}@${version.version} has no strata.feature_names in its signature metadata`);
  return JSON.parse(raw) as string[];
}

/** One scored trip: its event time, true label and model input (null = missing). */
export interface ReplayRow {
  eventTime: string;
  label: number;
  features: Array<number | null>;
}

async function readRows(uri: string, featureNames: string[]): Promise<ReplayRow[]> {
  const file = uri.startsWith('file://') ? new URL(uri).pathname : uri;
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    await conn.run(`SET TimeZone='UTC'`);
    const cols = featureNames.map((f) => `CAST("${f.replace(/"/g, '""')}" AS DOUBLE)`).join(', ');
    const reader = await conn.runAndReadAll(
      `SELECT strftime(event_timestamp::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.000Z') AS t, CAST(label AS INTEGER) AS label, ${cols}
       FROM read_parquet('${file.replace(/'/g, "''")}') ORDER BY event_timestamp`,
    );
    return reader.getRows().map((r) => ({
      eventTime: String(r[0]),
      label: Number(r[1]),
      features: r.slice(2).map((v) => (v === null ? null : Number(v))),
    }));
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

async function replay(
  client: StrataClient,
  options: TaxiDemoOptions,
  rows: ReplayRow[],
  featureNames: string[],
  log: (line: string) => void,
  idScope: string,
): Promise<ReplayRecord['predictions']> {
  // results[i] is the prediction for rows[i], whatever order the concurrent requests finish in.
  const results: ReplayRecord['predictions'] = new Array(rows.length);
  let next = 0;
  let done = 0;
  let lastReport = Date.now();
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const index = next++;
      const row = rows[index]!;
      // Deterministic ids: a re-run of the demo re-sends the same predictions, which monitoring
      // stores once (prediction id is its key), so windows never double count.
      const predictionId = deterministicId(`${idScope}:${index}:${row.eventTime}`);
      const response = await client.infer(options.modelName, {
        id: predictionId,
        // JSON has no NaN: a missing feature travels as the string "NaN" (serving's documented extension)
        inputs: [{ name: 'input', datatype: 'FP32', shape: [1, featureNames.length], data: row.features.map((v) => (v === null ? 'NaN' : v)) }],
        parameters: { prediction_id: predictionId, event_time: row.eventTime },
      });
      const probability = Number(response.outputs.find((o) => o.name === 'probability')?.data[0]);
      results[index] = { predictionId, label: row.label, eventTime: row.eventTime, probability };
      done++;
      if (Date.now() - lastReport > 2000) {
        lastReport = Date.now();
        log(`  scored ${done}/${rows.length}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return results;
}

/** A UUID-shaped id derived from `seed` (sha256), stable across runs. */
function deterministicId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
