import type { FairnessWindow, SegmentWindow } from '@strata/contracts/api';
import { type Command } from 'commander';
import { lineChart, type Series } from './chart';
import { type CliContext, withCommon } from './context';
import { registerSegmentConfigCommand } from './monitor-segments-config';
import { emit, renderTable } from './output';
import { oneOf, positiveInt } from './parse';

/**
 * `strata monitor segments|fairness`: monitoring's per-segment performance and disparity reports
 * (`GET /models/{m}/segments`, `GET /models/{m}/fairness`, issue 17), as tables and a chart of
 * one disparity metric over windows. The fields read here are those monitoring documents in
 * docs/service-apis.md (segments and fairness).
 */

/**
 * The windows shown are the API contract's `SegmentWindow` / `FairnessWindow` (`@strata/contracts/api`,
 * what the client's `segments` / `fairness` return); labelled by their UTC start day (a count
 * window, which the CLI does not request, by its sequence range).
 */
const windowLabel = (w: Pick<SegmentWindow, 'windowStart' | 'sequenceStart' | 'sequenceEnd' | 'modelVersion'>): string =>
  w.windowStart !== null ? w.windowStart.slice(0, 10) : `#${String(w.sequenceStart)}-${String(w.sequenceEnd)}`;

/** One row per window × segment × value. */
export function segmentRows(windows: SegmentWindow[]): Array<Record<string, unknown>> {
  return windows.flatMap((w) =>
    w.segments.flatMap((s) =>
      s.values.map((v) => ({
        window: `${windowLabel(w)} v${w.modelVersion}`,
        segment: s.segment,
        value: v.group,
        preds: v.predictionCount,
        positiveRate: v.selectionRate,
        labelCoverage: v.labelCoverage,
        rocAuc: v.performance.rocAuc,
        accuracy: v.performance.accuracy,
        f1: v.performance.f1,
      })),
    ),
  );
}

/** `Male 0.1923 [0.1666, 0.2210]`: a group, its rate and the rate's 95% Wilson interval; `-` when absent. */
export function groupWithInterval(g: { group: string; rate: number } | null | undefined, ci: { low: number; high: number } | null | undefined): string {
  if (!g) return '-';
  return `${g.group} ${g.rate.toFixed(4)}${ci ? ` [${ci.low.toFixed(4)}, ${ci.high.toFixed(4)}]` : ''}`;
}

/**
 * One row per window × segment × disparity metric (`*` marks a breached threshold): the value, the
 * max and min groups with their rates' 95% Wilson intervals, and `significant` (yes = the two
 * intervals do not overlap; `-` without a value).
 */
export function disparityRows(windows: FairnessWindow[]): Array<Record<string, unknown>> {
  return windows.flatMap((w) =>
    w.segments.flatMap((s) =>
      s.disparities.map((d) => ({
        window: `${windowLabel(w)} v${w.modelVersion}`,
        segment: s.segment,
        metric: d.metric,
        value: d.value === null ? `n/a (${d.status})` : `${d.value.toFixed(4)}${d.breached ? '*' : ''}`,
        threshold: d.threshold,
        max: groupWithInterval(d.max, d.maxInterval),
        min: groupWithInterval(d.min, d.minInterval),
        significant: d.significant === true ? 'yes' : d.significant === false ? 'no' : '-',
        excluded: d.excludedGroups.map((g) => `${g.group} (${g.count} < ${w.minCount})`).join(', ') || '-',
      })),
    ),
  );
}

/** One series per segment of `metric` over the window starts (mean over versions of a day; `metric` one of the contract's DISPARITY_METRICS). */
export function disparitySeries(windows: FairnessWindow[], metric: string): { labels: string[]; series: Series[] } {
  const labels = [...new Set(windows.map(windowLabel))].sort();
  const segments = [...new Set(windows.flatMap((w) => w.segments.map((s) => s.segment)))];
  const series = segments.map((segment) => ({
    name: segment,
    values: labels.map((l) => {
      const values = windows
        .filter((w) => windowLabel(w) === l)
        .flatMap((w) => w.segments.filter((s) => s.segment === segment).flatMap((s) => s.disparities.filter((d) => d.metric === metric).map((d) => d.value)))
        .filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
      return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
    }),
  }));
  return { labels, series };
}

interface SegmentOpts {
  json?: boolean;
  window: 'month' | 'week' | 'day';
  version?: number;
  chart: boolean;
}

export function registerSegmentCommands(monitor: Command, ctx: CliContext): void {
  const common = (cmd: Command): Command =>
    cmd
      .option('--window <w>', 'month | week | day', oneOf('month', 'week', 'day'), 'month')
      .option('--version <n>', 'only this model version', positiveInt);

  withCommon(common(monitor.command('segments <model>').description('per segment value (e.g. sex, race): predictions, positive rate, label coverage, ROC AUC, accuracy, F1')), [
    'strata monitor segments adult-income --window week',
  ]).action(async (model: string, opts: SegmentOpts) => {
    const out = ctx.output(opts);
    const windows = await ctx.api().segments(model, { window: opts.window, version: opts.version });
    emit(out, windows, () =>
      renderTable(segmentRows(windows), ['window', 'segment', 'value', 'preds', 'positiveRate', 'labelCoverage', 'rocAuc', 'accuracy', 'f1'].map((k) => ({ header: k, get: (r: Record<string, unknown>) => r[k] as string | number | null }))),
    );
  });

  withCommon(
    common(monitor.command('fairness <model>').description('disparity between the values of each segment (demographic parity, equal opportunity, ...; * = threshold breached) with the max / min groups\' 95% Wilson intervals and significance, and a chart of one metric over time'))
      .option('--metric <m>', 'metric of the chart', 'demographic_parity_difference')
      .option('--no-chart', 'tables only'),
    ['strata monitor fairness adult-income', 'strata monitor fairness adult-income --metric equal_opportunity_difference --window week'],
  ).action(async (model: string, opts: SegmentOpts & { metric: string }) => {
    const out = ctx.output(opts);
    const windows = await ctx.api().fairness(model, { window: opts.window, version: opts.version });
    emit(out, windows, () => {
      const table = renderTable(disparityRows(windows), ['window', 'segment', 'metric', 'value', 'threshold', 'max [95% CI]', 'min [95% CI]', 'significant', 'excluded'].map((k) => ({ header: k, get: (r: Record<string, unknown>) => r[k.split(' ')[0]!] as string | number | null })));
      const { labels, series } = disparitySeries(windows, opts.metric);
      const chart = opts.chart ? lineChart(`${opts.metric} per ${opts.window}`, labels, series) : null;
      return chart ? `${table}\n\n${chart}` : table;
    });
  });

  registerSegmentConfigCommand(monitor, ctx);
}
