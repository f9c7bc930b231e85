import type { StrataLifecycleApi, TrainingRun } from '@strata/shared/data-access-strata-client';
import { type Command } from 'commander';
import { type CliContext, withCommon } from './context';
import { latestVersion } from './datasets';
import { cell, emit, type Output, renderRecord, renderTable } from './output';
import { collectDatasets, isoInstant, keyValue, oneOf, positiveInt, searchDimension } from './parse';
import { pollUntil, progress } from './progress';

/** Options shared by `train` and `search`: the body of `POST /training-runs` (docs/service-apis.md). */
interface TrainOptions {
  json?: boolean;
  model: string;
  trainingSet: string;
  dataset?: Array<{ datasetName: string; versionId?: string }>;
  trainer: string;
  param?: Record<string, unknown>;
  splitTime?: string;
  requestId?: string;
  follow: boolean;
  timeout: number;
}

function trainingOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--model <name>', 'registered model name')
    .requiredOption('--training-set <name>', 'training set definition (feature repo)')
    .option('--dataset <name[@version]>', 'dataset version(s) to train on; default version: the newest (repeatable)', collectDatasets)
    .option('--trainer <id>', 'logistic_regression or command:<name>', 'logistic_regression')
    .option('--param <key=value>', 'trainer parameter (repeatable)', keyValue)
    .option('--split-time <time>', 'rows at or after this instant are held out for evaluation (ISO-8601)', isoInstant)
    .option('--request-id <id>', 'idempotency key: the same request twice runs once')
    .option('--no-follow', 'return once started instead of following the run')
    .option('--timeout <s>', 'give up following after this many seconds', Number, 3600);
}

/** `name@version` of each dataset version a run trains on. */
const versionsText = (body: { trainDatasetVersions: Array<{ datasetName: string; versionId: string }> }): string => body.trainDatasetVersions.map((d) => `${d.datasetName}@${d.versionId}`).join(', ');

/** The run's body; a dataset given without a version gets its newest one, named on stderr (rows and when it was ingested). */
async function trainingBody(api: StrataLifecycleApi, opts: TrainOptions, out: Output): Promise<{ trainDatasetVersions: Array<{ datasetName: string; versionId: string }> } & Record<string, unknown>> {
  if (!opts.dataset?.length) throw new Error('give --dataset <name[@version]>');
  const trainDatasetVersions = await Promise.all(
    opts.dataset.map(async (d) => {
      if (d.versionId) return { datasetName: d.datasetName, versionId: d.versionId };
      const v = await latestVersion(api, d.datasetName);
      out.note(`dataset ${d.datasetName}: the newest version ${v.versionId} (${cell(v.rowCount)} rows, ingested ${String((v as { createdAt?: string }).createdAt ?? '?')}); give ${d.datasetName}@<version> for another`);
      return { datasetName: d.datasetName, versionId: v.versionId };
    }),
  );
  return {
    modelName: opts.model,
    trainer: opts.trainer,
    params: opts.param ?? {},
    trainingSet: opts.trainingSet,
    trainDatasetVersions,
    evaluation: opts.splitTime ? { splitTime: opts.splitTime } : {},
    ...(opts.requestId ? { requestId: opts.requestId } : {}),
  };
}

/** The numeric metrics of a run, rounded, as `name=value` pairs (for live lines). */
export function metricsLine(metrics: Record<string, unknown> | undefined): string {
  return Object.entries(metrics ?? {})
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `${k}=${cell(v)}`)
    .join(' ');
}

const runColumns = [
  { header: 'run', get: (r: TrainingRun) => r.runId },
  { header: 'model', get: (r: TrainingRun) => r.modelName },
  { header: 'status', get: (r: TrainingRun) => r.status },
  { header: 'step', get: (r: TrainingRun) => r.step },
  { header: 'version', get: (r: TrainingRun) => r.modelVersion },
  { header: 'roc_auc', get: (r: TrainingRun) => r.metrics?.['roc_auc'] },
  { header: 'created', get: (r: TrainingRun) => (r as { createdAt?: string }).createdAt },
];

/** Follows a training run to its end: a progress bar with the step and live metrics; throws when it failed. */
export async function followRun(api: StrataLifecycleApi, out: Output, runId: string, pollMs: number, timeoutMs: number): Promise<TrainingRun> {
  const bar = progress(out, `train ${runId.slice(0, 8)}`);
  const run = await pollUntil(() => api.client.getTrainingRun(runId), (r) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(r.status), {
    intervalMs: pollMs,
    timeoutMs,
    what: `training run ${runId}`,
    onValue: (r) => bar.update(typeof r.progress === 'number' ? (r.progress > 1 ? r.progress / 100 : r.progress) : 0, `${r.status} ${r.step ?? ''} ${metricsLine(r.metrics)}`.trim()),
  }).finally(() => bar.stop());
  if (run.status !== 'COMPLETED') {
    const error = typeof run.error === 'string' ? run.error : run.error ? `${run.error.code}: ${run.error.message}` : 'no error given';
    throw new Error(`training run ${runId} ${run.status}: ${error}`);
  }
  return run;
}

export function registerTrainingCommands(program: Command, ctx: CliContext): void {
  withCommon(trainingOptions(program.command('train').description('train a model as a durable workflow and follow it to its registered version')), [
    'strata train --model adult-income --training-set adult_income --dataset adult_people --split-time 2024-02-10T00:00:00Z',
    'strata train --model adult-income --training-set adult_income --dataset adult_people --param l2=0.01 --no-follow --json',
  ]).action(async (opts: TrainOptions) => {
    const out = ctx.output(opts);
    const api = ctx.api();
    const body = await trainingBody(api, opts, out);
    const started = await api.client.startTrainingRun(body);
    if (!opts.follow) return emit(out, started, () => `training run ${started.runId} started (strata runs show ${started.runId})`);
    out.note(`training run ${started.runId} (workflow ${started.workflowId})`);
    const run = await followRun(api, out, started.runId, ctx.pollMs, opts.timeout * 1000).catch((e: Error) => {
      throw new Error(`${e.message} (trained on ${versionsText(body)})`);
    });
    emit(out, run, () => `${renderRecord({ model: run.modelName, version: run.modelVersion, run: run.runId, artifact: run.artifactUri })}\n\nmetrics\n${renderRecord(Object.fromEntries(Object.entries(run.metrics ?? {}).filter(([, v]) => typeof v !== 'object')))}`);
  });

  withCommon(
    trainingOptions(program.command('search').description('hyper-parameter search (grid or random); the best trial is registered'))
      .requiredOption('--space <param=spec>', 'dimension: name=min:max[:log][:int] (random) or name=a,b,c (repeatable)', searchDimension)
      .option('--strategy <s>', 'grid | random', oneOf('grid', 'random'), 'grid')
      .option('--metric <name>', 'metric that picks the best trial', 'roc_auc')
      .option('--direction <d>', 'maximize | minimize', oneOf('maximize', 'minimize'), 'maximize')
      .option('--parallelism <n>', 'trials at once', positiveInt, 2)
      .option('--max-trials <n>', 'number of random trials / cap on the grid', positiveInt)
      .option('--seed <n>', 'random seed', Number),
    ['strata search --model adult-income --training-set adult_income --dataset adult_people --space l2=0.001,0.01,0.1'],
  ).action(async (opts: TrainOptions & { space: Record<string, unknown>; strategy: string; metric: string; direction: string; parallelism: number; maxTrials?: number; seed?: number }) => {
    const out = ctx.output(opts);
    const api = ctx.api();
    const body = await trainingBody(api, opts, out);
    const search = { strategy: opts.strategy, space: opts.space, metric: opts.metric, direction: opts.direction, parallelism: opts.parallelism, ...(opts.maxTrials ? { maxTrials: opts.maxTrials } : {}), ...(opts.seed !== undefined ? { seed: opts.seed } : {}) };
    const started = await api.startSearch({ ...body, search });
    if (!opts.follow) return emit(out, started, () => `search ${started.searchId} started with ${started.trials.length} trials`);
    const bar = progress(out, `search ${started.searchId.slice(0, 8)}`);
    const done = await pollUntil(() => api.getSearch(started.searchId), (s) => !['RUNNING', 'PENDING'].includes(s.status), {
      intervalMs: ctx.pollMs,
      timeoutMs: opts.timeout * 1000,
      what: `search ${started.searchId}`,
      onValue: (s) => bar.update(s.trialCount ? ((s.completedTrials ?? 0) + (s.failedTrials ?? 0)) / s.trialCount : 0, `${s.completedTrials ?? 0}/${s.trialCount} done, ${s.failedTrials ?? 0} failed, best ${opts.metric}=${cell(s.bestMetric)}`),
    }).finally(() => bar.stop());
    if (done.status !== 'COMPLETED') throw new Error(`search ${done.searchId} ${done.status}: ${JSON.stringify(done.error)} (trained on ${versionsText(body)})`);
    emit(out, done, () =>
      [
        renderTable(done.trials ?? [], [
          { header: 'trial run', get: (r) => r.runId },
          { header: 'status', get: (r) => r.status },
          { header: 'params', get: (r) => (r as { params?: unknown }).params },
          { header: opts.metric, get: (r) => r.metrics?.[opts.metric] },
        ]),
        '',
        renderRecord({ best: done.bestRunId, [opts.metric]: done.bestMetric, 'registered version': done.modelVersion }),
      ].join('\n'),
    );
  });

  const runs = program.command('runs').description('training runs (training service)');
  withCommon(runs.command('list').description('training runs, newest first').option('--model <name>', 'only this model').option('--limit <n>', 'at most', positiveInt, 20), ['strata runs list --model adult-income']).action(
    async (opts: { json?: boolean; model?: string; limit: number }) => {
      const out = ctx.output(opts);
      const list = await ctx.api().listTrainingRuns({ modelName: opts.model, limit: opts.limit });
      emit(out, list, () => renderTable(list, runColumns));
    },
  );
  withCommon(runs.command('show <runId>').description('one training run: status, metrics, resources, cost'), ['strata runs show 6c1f…']).action(async (runId: string, opts: { json?: boolean }) => {
    const out = ctx.output(opts);
    const run = await ctx.api().client.getTrainingRun(runId);
    emit(out, run, () => {
      const { metrics, ...rest } = run as TrainingRun & Record<string, unknown>;
      return `${renderRecord(rest)}\n\nmetrics\n${renderRecord(metrics ?? {})}`;
    });
  });
  withCommon(runs.command('logs <runId>').description("a run's captured trainer output").option('--attempt <n>', 'only this activity attempt', positiveInt), ['strata runs logs 6c1f…']).action(
    async (runId: string, opts: { json?: boolean; attempt?: number }) => {
      const out = ctx.output(opts);
      const logs = await ctx.api().trainingRunLogs(runId, opts.attempt);
      emit(out, logs, () => logs.text || `(no captured output for ${runId}: the built-in trainer runs in process)`);
    },
  );
}
