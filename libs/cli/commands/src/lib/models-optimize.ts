import type { ModelOptimization } from '@strata/contracts/api';
import { type Command, InvalidArgumentError } from 'commander';
import { type CliContext, withCommon } from './context';
import { resolveVersion } from './models';
import { emit, renderRecord, renderTable } from './output';
import { pollUntil, progress } from './progress';

/**
 * `strata models optimize <model> <version> [--method dynamic-int8|graph] [--max-accuracy-drop f]`
 * (issue 15): starts `POST /model-optimizations` on the training service, follows
 * `GET /model-optimizations/{id}` with a progress bar, then prints parent vs child (size, single-row
 * and batched per-row latency, accuracy, ROC AUC) and the decision. A refusal (drop past the margin)
 * prints the same numbers and exits 1; nothing was registered.
 */

const fraction = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('a fraction between 0 and 1 (0.01 = one point)');
  return n;
};
const seconds = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a number of seconds > 0');
  return n;
};

type Measure = { accuracy: number; rocAuc: number | null; sizeBytes: number; p50RowLatencyMs: number; p50BatchedRowLatencyMs: number | null };

const change = (parent: number | null, child: number | null, digits = 1): string => (parent === null || child === null || parent === 0 ? '-' : `${child >= parent ? '+' : ''}${(((child - parent) / parent) * 100).toFixed(digits)}%`);

/** The human view of a finished optimization: the parent vs child table and the decision. */
export function optimizationText(job: ModelOptimization): string {
  const numbers = (job.result?.measured ?? job.error?.details) as { parent?: Measure; child?: Measure; evalRows?: number; latencyRows?: number } | undefined;
  const head = renderRecord({
    optimization: job.id,
    model: `${job.request.modelName}@${job.request.version}`,
    method: job.request.method,
    status: job.status,
    child: job.result ? `${job.result.child.name}@${job.result.child.version}${job.result.child.created ? '' : ' (already registered)'}` : '-',
    decision: job.result?.decision.reason ?? job.error?.message ?? '-',
  });
  const p = numbers?.parent;
  const c = numbers?.child;
  if (!p || !c) return head;
  const rows = [
    { what: 'size (bytes)', parent: p.sizeBytes, child: c.sizeBytes, change: change(p.sizeBytes, c.sizeBytes) },
    { what: 'p50 latency, 1 row (ms)', parent: p.p50RowLatencyMs, child: c.p50RowLatencyMs, change: change(p.p50RowLatencyMs, c.p50RowLatencyMs) },
    { what: 'p50 latency per row, batches of 256 (µs)', parent: p.p50BatchedRowLatencyMs === null ? null : p.p50BatchedRowLatencyMs * 1000, child: c.p50BatchedRowLatencyMs === null ? null : c.p50BatchedRowLatencyMs * 1000, change: change(p.p50BatchedRowLatencyMs, c.p50BatchedRowLatencyMs) },
    { what: 'accuracy', parent: p.accuracy, child: c.accuracy, change: (c.accuracy - p.accuracy).toFixed(6) },
    { what: 'ROC AUC', parent: p.rocAuc, child: c.rocAuc, change: p.rocAuc === null || c.rocAuc === null ? '-' : (c.rocAuc - p.rocAuc).toFixed(6) },
  ];
  const table = renderTable(rows, [
    { header: '', get: (r) => r.what },
    { header: 'parent', get: (r) => r.parent },
    { header: 'child', get: (r) => r.child },
    { header: 'change', get: (r) => r.change },
  ]);
  return `${head}\n\n${table}\n\non ${numbers.evalRows ?? '?'} evaluation rows of the parent; latency over ${numbers.latencyRows ?? '?'} rows, both models in one process`;
}

/** Adds `optimize` to the `models` command group. */
export function registerModelOptimizeCommand(models: Command, ctx: CliContext): void {
  withCommon(
    models
      .command('optimize <model> <version>')
      .description("derive an optimized child version (ONNX Runtime dynamic INT8 quantization or graph optimization), measured against its parent on the parent's evaluation set; registered only when the accuracy / ROC AUC drop is within the margin")
      .option('--method <method>', 'dynamic-int8 | graph', 'dynamic-int8')
      .option('--max-accuracy-drop <fraction>', 'largest accepted accuracy drop (absolute; default: the service setting, 0.01)', fraction)
      .option('--max-roc-auc-drop <fraction>', 'largest accepted ROC AUC drop (default: --max-accuracy-drop)', fraction)
      .option('--timeout <seconds>', 'stop following after this long (the job goes on)', seconds, 900),
    ['strata models optimize adult-income 3', 'strata models optimize adult-income champion --method graph --max-accuracy-drop 0'],
  ).action(async (model: string, versionOrAlias: string, opts: { json?: boolean; method: string; maxAccuracyDrop?: number; maxRocAucDrop?: number; timeout: number }) => {
    if (opts.method !== 'dynamic-int8' && opts.method !== 'graph') throw new InvalidArgumentError(`--method '${opts.method}': expected dynamic-int8 or graph`);
    const out = ctx.output(opts);
    const api = ctx.api();
    const version = (await resolveVersion(api, model, versionOrAlias)).version;
    const training = api.client.api.training;
    const body = {
      modelName: model,
      version,
      method: opts.method,
      ...(opts.maxAccuracyDrop !== undefined ? { maxAccuracyDrop: opts.maxAccuracyDrop } : {}),
      ...(opts.maxRocAucDrop !== undefined ? { maxRocAucDrop: opts.maxRocAucDrop } : {}),
    } as const;
    const started = await training.startModelOptimization({ body });
    const bar = progress(out, `optimize ${model}@${version}`);
    const done = await pollUntil(() => training.getModelOptimization({ params: { id: started.id } }), (j) => j.status !== 'RUNNING', {
      intervalMs: ctx.pollMs,
      timeoutMs: opts.timeout * 1000,
      what: `model optimization ${started.id}`,
      onValue: (j) => bar.update(j.progress, j.step),
    });
    bar.stop(done.status === 'SUCCEEDED' ? `registered ${model}@${done.result?.child.version}` : `${done.status.toLowerCase()}: nothing registered`);
    emit(out, done, () => optimizationText(done));
    if (done.status !== 'SUCCEEDED') process.exitCode = 1;
  });
}
