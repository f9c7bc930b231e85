import fs from 'node:fs';
import path from 'node:path';
import type { Prediction, StrataLifecycleApi } from '@strata/shared/data-access-strata-client';
import { type Command } from 'commander';
import { type CliContext, withCommon } from './context';
import { statusSummary, statusWarnings } from './feature-statuses';
import { latestVersion } from './datasets';
import { cell, emit, renderRecord, renderTable } from './output';
import { binaryLabel, collect, datasetRef, isoInstant, keyValue, positiveInt } from './parse';
import { pollUntil, progress } from './progress';

/** One predict request: the body of `POST /models/{m}/predict`. */
export interface PredictRequest {
  entities: Record<string, unknown>;
  request?: Record<string, unknown>;
  eventTime?: string;
  predictionId?: string;
}

/** Non-empty lines of an NDJSON file, parsed; errors name the file and line. */
export function readNdjson<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter((l) => l.line !== '')
    .map(({ line, n }) => {
      try {
        return JSON.parse(line) as T;
      } catch (e) {
        throw new Error(`${file}:${n}: not JSON (${(e as Error).message})`);
      }
    });
}

/** Runs `fn` over `items` with at most `concurrency` at once, results in input order. */
export async function mapConcurrent<T, R>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<R>, onDone?: (done: number) => void): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
      onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

async function predictFile(api: StrataLifecycleApi, model: string, file: string, concurrency: number, onDone: (n: number) => void): Promise<Prediction[]> {
  const requests = readNdjson<PredictRequest>(file);
  requests.forEach((r, i) => {
    if (!r || typeof r !== 'object' || typeof r.entities !== 'object') throw new Error(`${file}: request ${i + 1} has no "entities" object`);
  });
  return mapConcurrent(requests, concurrency, (r, i) => api.predict(model, r).catch((e: Error) => Promise.reject(new Error(`request ${i + 1} of ${file}: ${e.message}`))), onDone);
}

/** The prediction with `warnings` (features imputed because not PRESENT, and why) when there are any. */
function withWarnings(p: Prediction): Prediction & { warnings?: string[] } {
  const warnings = statusWarnings(p.featureStatuses ?? {});
  return warnings.length ? { ...p, warnings } : p;
}

export function registerServingCommands(program: Command, ctx: CliContext): void {
  withCommon(
    program
      .command('predict <model>')
      .description("predict with the model's online path: serving reads the entity's online features, computes the on-demand views from the request fields (raw values, e.g. categories) and logs the prediction")
      .option('--entity <key=value>', 'join key of an entity (repeatable)', keyValue)
      .option('--request <field=value>', 'request field (repeatable; numbers are sent as numbers, other text as strings)', keyValue)
      .option('--event-time <time>', 'event time (ISO-8601): features are read as of it (replays)', isoInstant)
      .option('--prediction-id <id>', 'your id for the prediction (feedback joins on it)')
      .option('--file <ndjson>', 'many requests, one JSON object per line: {"entities": {...}, "request": {...}, "eventTime"?, "predictionId"?}')
      .option('--concurrency <n>', 'requests in flight with --file', positiveInt, 4),
    [
      'strata predict adult-income --entity person_id=2401 --request sex=Female --request marital_status=Never-married --request workclass=Private',
      'strata predict adult-income --file requests.ndjson --json > predictions.json',
    ],
  ).action(async (model: string, opts: { json?: boolean; entity?: Record<string, unknown>; request?: Record<string, unknown>; eventTime?: string; predictionId?: string; file?: string; concurrency: number }) => {
    const out = ctx.output(opts);
    const api = ctx.api();
    if (opts.file) {
      const bar = progress(out, `predict ${path.basename(opts.file)}`);
      const total = readNdjson(path.resolve(ctx.cwd, opts.file)).length;
      const predictions = await predictFile(api, model, path.resolve(ctx.cwd, opts.file), opts.concurrency, (n) => bar.update(n / total, `${n}/${total}`)).finally(() => bar.stop());
      for (const w of statusSummary(predictions.map((p) => p.featureStatuses ?? {}))) out.note(`warning: ${w}`);
      return emit(out, predictions.map(withWarnings), () =>
        renderTable(predictions, [
          { header: 'prediction', get: (p) => p.predictionId },
          { header: 'version', get: (p) => p.modelVersion },
          { header: 'probability', get: (p) => p.probability },
        ]),
      );
    }
    if (!opts.entity || Object.keys(opts.entity).length === 0) throw new Error('give --entity <key=value> (or --file)');
    const p = await api.predict(model, { entities: opts.entity, request: opts.request ?? {}, ...(opts.eventTime ? { eventTime: opts.eventTime } : {}), ...(opts.predictionId ? { predictionId: opts.predictionId } : {}) });
    for (const w of statusWarnings(p.featureStatuses ?? {})) out.note(`warning: ${w}`);
    emit(out, withWarnings(p), () =>
      `${renderRecord({ prediction: p.predictionId, model: `${p.modelName} v${p.modelVersion}`, probability: p.probability })}\n\n${renderTable(Object.keys(p.features), [
        { header: 'feature', get: (k) => k },
        { header: 'value', get: (k) => p.features[k] },
        { header: 'status', get: (k) => p.featureStatuses[k] },
      ])}`,
    );
  });

  withCommon(
    program
      .command('batch-score <model>')
      .description('score a dataset version (features by the same point-in-time join as training sets) or a Parquet file, as a durable job; follows it')
      .option('--dataset <name[@version]>', 'dataset version to score (default version: the newest)', datasetRef)
      .option('--input <uri>', 'a Parquet in the object store instead (e.g. a training set uri)')
      .option('--alias <alias>', 'model alias (default champion)')
      .option('--version <n>', 'model version instead of an alias', positiveInt)
      .option('--output-columns <cols>', 'pass-through columns (comma-separated)', collect)
      .option('--timeout <s>', 'give up following after this many seconds', Number, 3600),
    ['strata batch-score adult-income --dataset adult_people', 'strata batch-score adult-income --input file:///…/training-set.parquet --version 1 --json'],
  ).action(async (model: string, opts: { json?: boolean; dataset?: { datasetName: string; versionId?: string }; input?: string; alias?: string; version?: number; outputColumns?: string[]; timeout: number }) => {
    const out = ctx.output(opts);
    const api = ctx.api();
    if (!opts.dataset === !opts.input) throw new Error('give exactly one of --dataset or --input');
    const source = opts.dataset ? { datasetName: opts.dataset.datasetName, versionId: opts.dataset.versionId ?? (await latestVersion(api, opts.dataset.datasetName)).versionId } : { inputUri: opts.input };
    const started = await api.startBatchScoring({ modelName: model, ...(opts.version ? { version: opts.version } : opts.alias ? { alias: opts.alias } : {}), ...source, ...(opts.outputColumns ? { outputColumns: opts.outputColumns } : {}) });
    const bar = progress(out, `batch-score ${started.jobId.slice(0, 8)}`);
    const job = await pollUntil(() => api.getBatchScoring(started.jobId), (j) => !['PENDING', 'RUNNING'].includes(j.status), {
      intervalMs: ctx.pollMs,
      timeoutMs: opts.timeout * 1000,
      what: `batch scoring job ${started.jobId}`,
      onValue: (j) => bar.update(j.progress?.rowsTotal ? j.progress.rowsDone / j.progress.rowsTotal : 0, `${j.status} ${j.progress?.rowsDone ?? 0}/${j.progress?.rowsTotal ?? '?'} rows`),
    }).finally(() => bar.stop());
    if (job.status !== 'SUCCEEDED') throw new Error(`batch scoring job ${job.jobId} ${job.status}: ${job.errorCode ?? ''} ${job.error ?? ''}`.trim());
    emit(out, job, () => renderRecord({ job: job.jobId, model: `${job.modelName} v${job.modelVersion}`, rows: job.rowCount, output: job.outputUri }));
  });

  withCommon(
    program
      .command('feedback <model>')
      .description('send true labels for predictions (monitoring joins them on the prediction id)')
      .option('--prediction-id <id>', 'the prediction')
      .option('--label <0|1>', 'its true label', binaryLabel)
      .option('--observed-at <time>', 'when the label was observed (default now)', isoInstant)
      .option('--file <ndjson>', 'many labels, one per line: {"predictionId", "label", "observedAt"?}'),
    ['strata feedback adult-income --prediction-id 7d9e… --label 1', 'strata feedback adult-income --file labels.ndjson'],
  ).action(async (model: string, opts: { json?: boolean; predictionId?: string; label?: number; observedAt?: string; file?: string }) => {
    const out = ctx.output(opts);
    const now = new Date().toISOString();
    let items: Array<{ predictionId: string; modelName: string; label: number; observedAt: string }>;
    if (opts.file) {
      items = readNdjson<{ predictionId: string; label: number; observedAt?: string }>(path.resolve(ctx.cwd, opts.file)).map((l, i) => {
        if (typeof l.predictionId !== 'string' || (l.label !== 0 && l.label !== 1)) throw new Error(`${opts.file}: line ${i + 1} needs "predictionId" (string) and "label" (0 or 1)`);
        return { predictionId: l.predictionId, modelName: model, label: l.label, observedAt: l.observedAt ?? opts.observedAt ?? now };
      });
    } else {
      if (!opts.predictionId || opts.label === undefined) throw new Error('give --prediction-id and --label (or --file)');
      items = [{ predictionId: opts.predictionId, modelName: model, label: opts.label, observedAt: opts.observedAt ?? now }];
    }
    const api = ctx.api();
    const chunks: (typeof items)[] = [];
    for (let i = 0; i < items.length; i += 500) chunks.push(items.slice(i, i + 500));
    let accepted = 0;
    for (const chunk of chunks) accepted += Number((await api.feedback(chunk) as { accepted?: number } | undefined)?.accepted ?? chunk.length);
    // Labels arrive asynchronously (often before the prediction's log is aggregated), so monitoring
    // stores every label and joins it on the prediction id later, like Evidently's and MLflow's
    // label joins: an id that never matches a prediction is simply never counted as labeled.
    emit(out, { sent: items.length, accepted, modelName: model }, () =>
      `${cell(accepted)} label(s) accepted for ${model}: each counts once monitoring has the prediction with that id (strata monitor windows ${model}: labeledCount); an unknown id is stored but never counted`,
    );
  });
}
