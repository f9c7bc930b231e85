import type { HealthRow, MonitoringWindow } from '@strata/shared/data-access-strata-client';
import { type Command } from 'commander';
import { lineChart, type Series } from './chart';
import { type CliContext, withCommon } from './context';
import { registerSegmentCommands } from './monitor-segments';
import { cell, emit, renderTable } from './output';
import { oneOf, positiveInt } from './parse';

type Window = MonitoringWindow & { alias?: string; driftShare?: number; performance: (MonitoringWindow['performance'] & { f1?: number | null }) | null };

const day = (iso: string | null | undefined): string => (iso ? iso.slice(0, 10) : '-');
const label = (w: Window): string => `${day(w.windowStart)} v${w.modelVersion ?? '?'}${w.alias && w.alias !== 'none' ? ` ${w.alias}` : ''}`;

/** Window starts in order, and one series per model version of `metric(window)`. */
export function seriesByVersion(windows: Window[], metric: (w: Window) => number | null | undefined): { labels: string[]; series: Series[] } {
  const labels = [...new Set(windows.map((w) => day(w.windowStart)))].sort();
  const versions = [...new Set(windows.map((w) => String(w.modelVersion)))].sort();
  const series = versions.map((v) => ({
    name: `v${v}`,
    values: labels.map((l) => {
      const values = windows.filter((w) => String(w.modelVersion) === v && day(w.windowStart) === l).map(metric).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
      return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
    }),
  }));
  return { labels, series };
}

/** Drift score per feature over windows (mean over versions), the `top` features with the highest peak. */
export function driftSeries(windows: Window[], top: number): { labels: string[]; series: Series[] } {
  const labels = [...new Set(windows.map((w) => day(w.windowStart)))].sort();
  const features = [...new Set(windows.flatMap((w) => w.drift.map((d) => d.feature)))];
  const series = features.map((f) => ({
    name: f,
    values: labels.map((l) => {
      const scores = windows.filter((w) => day(w.windowStart) === l).flatMap((w) => w.drift.filter((d) => d.feature === f && typeof d.score === 'number').map((d) => d.score as number));
      return scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null;
    }),
  }));
  const peak = (s: Series): number => Math.max(-Infinity, ...s.values.filter((v): v is number => v !== null));
  return { labels, series: series.sort((a, b) => peak(b) - peak(a)).slice(0, top) };
}

/** Table of drift: one row per window, one column per feature (`score*` when drifted). */
export function driftTable(windows: Window[]): string {
  const features = [...new Set(windows.flatMap((w) => w.drift.map((d) => d.feature)))];
  return renderTable(windows, [
    { header: 'window', get: (w) => label(w) },
    { header: 'preds', get: (w) => w.predictionCount },
    { header: 'drift', get: (w) => (w.datasetDrift ? 'YES' : 'no') },
    ...features.map((f) => ({
      header: f,
      get: (w: Window) => {
        const d = w.drift.find((x) => x.feature === f);
        return d ? `${cell(d.score)}${d.drifted ? '*' : ''}` : '-';
      },
    })),
  ]);
}

interface MonitorOpts {
  json?: boolean;
  window: 'month' | 'week' | 'day';
  version?: number;
  chart: boolean;
}

export function registerMonitorCommands(program: Command, ctx: CliContext): void {
  const monitor = program.command('monitor').description('drift, performance and health of a model in production (monitoring)');
  const common = (cmd: Command): Command =>
    cmd
      .option('--window <w>', 'month | week | day', oneOf('month', 'week', 'day'), 'month')
      .option('--version <n>', 'only this model version', positiveInt)
      .option('--no-chart', 'tables only');

  withCommon(common(monitor.command('windows <model>').description('per window: predictions, labels, performance (ROC AUC, accuracy), drift; and a chart of ROC AUC over time')), [
    'strata monitor windows adult-income --window week',
  ]).action(async (model: string, opts: MonitorOpts) => {
    const out = ctx.output(opts);
    const windows = (await ctx.api().windows(model, { window: opts.window, version: opts.version })) as Window[];
    emit(out, windows, () => {
      const table = renderTable(windows, [
        { header: 'window', get: (w) => label(w) },
        { header: 'preds', get: (w) => w.predictionCount },
        { header: 'labeled', get: (w) => w.labeledCount },
        { header: 'roc_auc', get: (w) => w.performance?.rocAuc },
        { header: 'accuracy', get: (w) => w.performance?.accuracy },
        { header: 'log_loss', get: (w) => w.performance?.logLoss },
        { header: 'drift share', get: (w) => w.driftShare },
        { header: 'dataset drift', get: (w) => (w.datasetDrift ? 'YES' : 'no') },
      ]);
      const { labels, series } = seriesByVersion(windows, (w) => w.performance?.rocAuc);
      const chart = opts.chart ? lineChart(`ROC AUC per ${opts.window}`, labels, series) : null;
      return chart ? `${table}\n\n${chart}` : table;
    });
  });

  withCommon(
    common(monitor.command('drift <model>').description('drift score per feature and window (* = drifted), and a chart of the most drifting features over time')).option('--top <n>', 'features in the chart', positiveInt, 4),
    ['strata monitor drift adult-income', 'strata monitor drift adult-income --window week --top 6'],
  ).action(async (model: string, opts: MonitorOpts & { top: number }) => {
    const out = ctx.output(opts);
    const windows = (await ctx.api().windows(model, { window: opts.window, version: opts.version })) as Window[];
    emit(out, windows.map((w) => ({ windowStart: w.windowStart, windowEnd: w.windowEnd, modelVersion: w.modelVersion, alias: w.alias, predictionCount: w.predictionCount, datasetDrift: w.datasetDrift, drift: w.drift })), () => {
      const { labels, series } = driftSeries(windows, opts.top);
      const method = windows[0]?.drift[0]?.method ?? 'score';
      const chart = opts.chart ? lineChart(`${method} per ${opts.window} (top ${series.length} features)`, labels, series) : null;
      const table = driftTable(windows);
      return chart ? `${table}\n\n${chart}` : table;
    });
  });

  withCommon(
    monitor
      .command('health <model>')
      .description('requests, errors and latency per window')
      .option('--window <w>', 'day | week | month', oneOf('day', 'week', 'month'), 'day')
      .option('--version <n>', 'only this model version', positiveInt),
    ['strata monitor health adult-income'],
  ).action(async (model: string, opts: { json?: boolean; window: 'day' | 'week' | 'month'; version?: number }) => {
    const out = ctx.output(opts);
    const rows = await ctx.api().health(model, { window: opts.window, version: opts.version });
    const ms = (s: number | null | undefined): number | null => (typeof s === 'number' ? Math.round(s * 1e4) / 10 : null);
    emit(out, rows, () =>
      renderTable<HealthRow>(rows, [
        { header: 'window', get: (h) => day(h.windowStart) },
        { header: 'version', get: (h) => h.modelVersion },
        { header: 'alias', get: (h) => h.alias },
        { header: 'requests', get: (h) => h.requestCount },
        { header: 'errors', get: (h) => h.errorCount },
        { header: 'error rate', get: (h) => h.errorRate },
        { header: 'p50 ms', get: (h) => ms(h.latencySeconds?.p50) },
        { header: 'p95 ms', get: (h) => ms(h.latencySeconds?.p95) },
        { header: 'p99 ms', get: (h) => ms(h.latencySeconds?.p99) },
      ]),
    );
  });

  registerSegmentCommands(monitor, ctx);
}
