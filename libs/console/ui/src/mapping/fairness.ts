import type { EChartsCoreOption } from 'echarts/core';
import type { DisparityReport, FairnessGroup, FairnessWindow } from '@strata/contracts/api';

/**
 * The console's fairness view (issue #17): `GET /models/{m}/fairness?window=…&version=…` windows
 * of ONE version → per segment, one chart per group rate over the windows (one line per group,
 * with its 95% Wilson score interval as a band: Wilson 1927; Brown, Cai & DasGupta 2001 — the
 * interval monitoring uses for a disparity's significance), and the latest window's disparities
 * with their thresholds.
 */

/** The group rates charted, each with its numerator / denominator (at threshold 0.5). */
export const FAIRNESS_RATES = [
  { key: 'selectionRate', label: 'positive rate (predicted positives / predictions)', of: (g: FairnessGroup) => [g.predictedPositiveCount, g.predictionCount] as const },
  { key: 'truePositiveRate', label: 'true positive rate (TP / labeled positives)', of: (g: FairnessGroup) => [g.tp, g.tp + g.fn] as const },
  { key: 'falsePositiveRate', label: 'false positive rate (FP / labeled negatives)', of: (g: FairnessGroup) => [g.fp, g.fp + g.tn] as const },
] as const;
export type FairnessRateKey = (typeof FAIRNESS_RATES)[number]['key'];

/** One window's rate of a group: value and 95% Wilson interval (null without a denominator), and the denominator. */
export interface RatePoint {
  value: number | null;
  low: number | null;
  high: number | null;
  n: number;
}

/** One chart: a rate of every group over the windows. */
export interface RateChart {
  rate: FairnessRateKey;
  label: string;
  /** Window labels (`YYYY-MM-DD` UTC window starts, or `#start–end` prediction sequence numbers of count windows), ascending. */
  windows: string[];
  /** One series per group (groups by predictions over all windows, most first); a group absent in a window has a null point. */
  groups: Array<{ group: string; points: RatePoint[] }>;
}

/** One disparity of the latest window, for the table. */
export interface DisparityRow {
  metric: string;
  value: number | null;
  threshold: number | null;
  breached: boolean;
  significant: boolean | null;
  /** `Male 0.192 [0.167, 0.221]` (group, rate, 95% Wilson interval), or `—`. */
  max: string;
  min: string;
  /** Groups left out by the minimum-count rule: `Other (12)`. */
  excluded: string;
}

/** One segment of the view. */
export interface FairnessSegmentView {
  segment: string;
  charts: RateChart[];
  latest: { window: string; minCount: number; disparities: DisparityRow[] } | null;
}

/** The versions present in the windows, newest first. */
export function fairnessVersions(windows: readonly FairnessWindow[]): number[] {
  return [...new Set(windows.map((w) => Number(w.modelVersion)))].filter((v) => Number.isFinite(v)).sort((a, b) => b - a);
}

/** z of a two-sided 95% interval (the standard normal's 0.975 quantile). */
const Z_95 = 1.959963984540054;

/**
 * 95% Wilson score interval of k successes in n trials (Wilson 1927; Brown, Cai & DasGupta 2001):
 * centre (p + z²/2n) / (1 + z²/n), half-width z/(1 + z²/n)·√(p(1−p)/n + z²/4n²). The same formula as
 * monitoring's `wilsonInterval` (`@strata/shared/util-model-evaluation`, equal to statsmodels'
 * `proportion_confint(method='wilson')`), repeated here because the console bundle only maps the
 * contracts (spec: the same statsmodels values).
 */
export function wilson95(k: number, n: number): { low: number; high: number } {
  const p = k / n;
  const z2 = Z_95 * Z_95;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (Z_95 / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** A window's label: its UTC start day, or `#start–end` (prediction sequence numbers) for a count window. */
export function windowLabel(w: FairnessWindow): string {
  return w.windowStart ? w.windowStart.slice(0, 10) : `#${w.sequenceStart ?? '?'}–${w.sequenceEnd ?? '?'}`;
}
const orderOf = (w: FairnessWindow): number => (w.windowStart ? Date.parse(w.windowStart) : (w.sequenceStart ?? 0));
const r3 = (x: number): string => x.toFixed(3);

function ratePoint(successes: number, n: number): RatePoint {
  const ci = n > 0 && successes >= 0 && successes <= n ? wilson95(successes, n) : null;
  return { value: n > 0 ? successes / n : null, low: ci?.low ?? null, high: ci?.high ?? null, n };
}

function extreme(e: DisparityReport['max'], ci: DisparityReport['maxInterval']): string {
  if (!e) return '—';
  return `${e.group} ${r3(e.rate)}${ci ? ` [${r3(ci.low)}, ${r3(ci.high)}]` : ''}`;
}

/** Windows of one version → per segment (in first-seen order) its rate charts and latest disparities. */
export function fairnessView(windows: readonly FairnessWindow[]): FairnessSegmentView[] {
  const sorted = [...windows].sort((a, b) => orderOf(a) - orderOf(b));
  const segments: string[] = [];
  for (const w of sorted) for (const s of w.segments) if (!segments.includes(s.segment)) segments.push(s.segment);
  return segments.map((segment) => {
    const per = sorted.map((w) => w.segments.find((s) => s.segment === segment) ?? null);
    const totals = new Map<string, number>();
    for (const s of per) for (const g of s?.groups ?? []) totals.set(g.group, (totals.get(g.group) ?? 0) + g.predictionCount);
    const groups = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([g]) => g);
    const charts = FAIRNESS_RATES.map(({ key, label, of }) => ({
      rate: key,
      label,
      windows: sorted.map(windowLabel),
      groups: groups.map((group) => ({
        group,
        points: per.map((s) => {
          const g = s?.groups.find((x) => x.group === group);
          if (!g) return { value: null, low: null, high: null, n: 0 };
          const [k, n] = of(g);
          return ratePoint(k, n);
        }),
      })),
    }));
    let latest: FairnessSegmentView['latest'] = null;
    for (let i = sorted.length - 1; i >= 0 && !latest; i--) {
      const s = per[i];
      if (!s) continue;
      const w = sorted[i]!;
      latest = {
        window: w.windowStart ? `${w.windowStart.slice(0, 16).replace('T', ' ')} – ${(w.windowEnd ?? '').slice(0, 16).replace('T', ' ')} UTC` : `predictions ${windowLabel(w).slice(1)}`,
        minCount: w.minCount,
        disparities: s.disparities.map((d) => ({
          metric: d.metric,
          value: d.value,
          threshold: d.threshold,
          breached: d.breached,
          significant: d.significant,
          max: extreme(d.max, d.maxInterval),
          min: extreme(d.min, d.minInterval),
          excluded: d.excludedGroups.map((x) => `${x.group} (${x.count})`).join(', '),
        })),
      };
    }
    return { segment, charts, latest };
  });
}

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d', '#7c3aed'];

/**
 * An ECharts line chart of one rate: one line per group and, under it, the group's 95% Wilson
 * interval as a shaded band (two stacked invisible series: the low bound, then high − low filled).
 * Windows where a group has no denominator are gaps.
 */
export function rateChartOption(chart: RateChart): EChartsCoreOption {
  const series: unknown[] = [];
  chart.groups.forEach((g, i) => {
    const color = COLORS[i % COLORS.length];
    const stack = `ci-${g.group}`;
    series.push(
      { name: `${g.group} 95% low`, type: 'line', stack, data: g.points.map((p) => p.low), lineStyle: { opacity: 0 }, symbol: 'none', silent: true, tooltip: { show: false } },
      { name: `${g.group} 95% CI`, type: 'line', stack, data: g.points.map((p) => (p.low === null || p.high === null ? null : p.high - p.low)), lineStyle: { opacity: 0 }, symbol: 'none', areaStyle: { color, opacity: 0.15 }, silent: true, tooltip: { show: false } },
      { name: g.group, type: 'line', data: g.points.map((p) => p.value), itemStyle: { color }, lineStyle: { color }, showSymbol: true, connectNulls: false },
    );
  });
  return {
    tooltip: {
      trigger: 'axis',
      formatter: (params: Array<{ seriesName: string; dataIndex: number }>) => {
        const idx = params[0]?.dataIndex ?? 0;
        const lines = chart.groups.map((g) => {
          const p = g.points[idx]!;
          return p.value === null ? `${g.group}: —` : `${g.group}: ${r3(p.value)} [${r3(p.low!)}, ${r3(p.high!)}] n=${p.n}`;
        });
        return [chart.windows[idx], ...lines].join('<br/>');
      },
    },
    legend: { type: 'scroll', top: 0, data: chart.groups.map((g) => g.group) },
    grid: { left: 50, right: 20, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: chart.windows, boundaryGap: false },
    yAxis: { type: 'value', min: 0, max: 1, name: chart.rate },
    series,
  };
}
