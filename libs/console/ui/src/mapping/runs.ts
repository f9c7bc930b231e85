import type { MetricPoint, TrainingRun, TrainingSearch } from '@strata/contracts/api';
import { formatTime } from './format';
import { nextSort, type TableSort } from './table';

/** A metric's points, by step (non-finite values, logged as strings, are left out). */
export interface MetricSeries {
  key: string;
  /** [step, value], ascending by step (the latest timestamp wins for a repeated step). */
  points: Array<[number, number]>;
}

/** Tracked metric history → one chart series; only finite numeric values are kept. */
export function metricSeries(key: string, history: readonly MetricPoint[]): MetricSeries {
  const byStep = new Map<number, { value: number; timestamp: number }>();
  for (const p of history) {
    if (typeof p.value !== 'number' || !Number.isFinite(p.value)) continue;
    const seen = byStep.get(p.step);
    if (!seen || p.timestamp >= seen.timestamp) byStep.set(p.step, { value: p.value, timestamp: p.timestamp });
  }
  return { key, points: [...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([step, { value }]) => [step, value]) };
}

/** The keys of a tracked run's metrics worth a chart (more than one step logged, i.e. a series), sorted. */
export function seriesKeys(latestMetrics: Record<string, { step: number }>): string[] {
  return Object.entries(latestMetrics)
    .filter(([, m]) => m.step > 0)
    .map(([k]) => k)
    .sort();
}

/** One `key = value` line for display. */
export interface KeyValue {
  key: string;
  value: string;
}

/** A `key = value` list for display, sorted by key (numbers with 4 significant decimals at most). */
export function keyValues(record: Record<string, unknown> | undefined): KeyValue[] {
  return Object.entries(record ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, v]) => ({ key, value: typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Number(v.toFixed(4)))) : typeof v === 'string' ? v : JSON.stringify(v) }));
}

/** A run's resources and cost as one line each (`—` when unknown). */
export function runFacts(run: TrainingRun): KeyValue[] {
  const r = run.resources;
  const secs = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);
  return [
    { key: 'status', value: run.status + (run.step && run.status === 'RUNNING' ? ` (${run.step}${run.progress !== null ? `, ${Math.round(run.progress * 100)}%` : ''})` : '') },
    { key: 'trainer', value: run.trainer },
    { key: 'training set', value: run.trainingSet },
    { key: 'reason', value: run.reason },
    { key: 'dataset versions', value: run.datasetVersions.map((d) => `${d.datasetName}@${d.versionId}`).join(', ') || '—' },
    { key: 'model version', value: run.modelVersion === undefined ? '—' : `v${run.modelVersion}` },
    { key: 'wall time', value: secs(r.wallTimeMs) },
    { key: 'CPU', value: r.cpuSeconds === null ? '—' : `${r.cpuSeconds.toFixed(1)} s` },
    { key: 'peak memory', value: r.peakRssBytes === null ? '—' : `${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB` },
    { key: 'cost', value: run.cost ? `${run.cost.estimated.toFixed(4)} ${run.cost.currency} (${run.cost.cpuHours.toFixed(4)} CPU h)` : '—' },
    { key: 'started / finished (UTC)', value: `${formatTime(run.createdAt)} / ${formatTime(run.finishedAt)}` },
    ...(run.error ? [{ key: 'error', value: `${run.error.code}: ${run.error.message}` }] : []),
  ];
}

/** One trial of a search, as its sortable table shows it. */
export interface TrialRow {
  trial: number;
  runId: string;
  status: string;
  /** Param value by name (raw: numbers stay numbers, for sorting and the chart). */
  params: Record<string, number | string | boolean | undefined>;
  /** The search's metric on this trial (null until known). */
  metric: number | null;
  best: boolean;
}

/** The params that vary across trials (every param of any trial, sorted). */
export function trialParams(trials: readonly TrainingRun[]): string[] {
  return [...new Set(trials.flatMap((t) => Object.keys(t.params)))].sort();
}

/** Trials (in trial order) → rows; `metric` is the search's metric on each trial, `best` marks the search's best run. */
export function trialRows(search: TrainingSearch): TrialRow[] {
  return (search.trials ?? []).map((t, i) => {
    const metric = t.metrics?.[search.metric];
    return { trial: i + 1, runId: t.runId, status: t.status, params: { ...t.params }, metric: typeof metric === 'number' ? metric : null, best: t.runId === search.bestRunId };
  });
}

/** A sort of the trials table: by `trial`, `status`, `metric` or `param:<name>`. */
export type TrialSort = TableSort;

function sortValue(row: TrialRow, by: string): number | string | undefined {
  if (by === 'trial') return row.trial;
  if (by === 'status') return row.status;
  if (by === 'metric') return row.metric ?? undefined;
  const v = row.params[by.startsWith('param:') ? by.slice(6) : by];
  return typeof v === 'boolean' ? String(v) : v;
}

/** Sorted copy of the rows; missing values (no metric yet) always last; ties keep trial order. */
export function sortTrials(rows: readonly TrialRow[], sort: TrialSort): TrialRow[] {
  return [...rows].sort((a, b) => {
    const x = sortValue(a, sort.by);
    const y = sortValue(b, sort.by);
    if (x === undefined || y === undefined) return x === y ? a.trial - b.trial : x === undefined ? 1 : -1;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return (sort.descending ? -c : c) || a.trial - b.trial;
  });
}

/** The default sort: best metric first (descending when maximizing). */
export function defaultTrialSort(search: Pick<TrainingSearch, 'direction'>): TrialSort {
  return { by: 'metric', descending: search.direction !== 'minimize' };
}

/** The sort after a click on column `by`: the same column flips; the metric starts best-first, any other column ascending. */
export function nextTrialSort(sort: TrialSort, by: string, search: Pick<TrainingSearch, 'direction'>): TrialSort {
  return nextSort(sort, by, (column) => column === 'metric' && search.direction !== 'minimize');
}

/**
 * Metric vs one param over the trials with a metric: numeric params give `[x, metric]` points on
 * a value axis; otherwise the categories (sorted) and `[category, metric]` points.
 */
export function metricVsParam(rows: readonly TrialRow[], param: string): { numeric: boolean; categories: string[]; points: Array<{ x: number | string; y: number; trial: number; best: boolean }> } {
  const withMetric = rows.filter((r) => r.metric !== null && r.params[param] !== undefined);
  const numeric = withMetric.every((r) => typeof r.params[param] === 'number');
  const points = withMetric.map((r) => ({ x: numeric ? (r.params[param] as number) : String(r.params[param]), y: r.metric as number, trial: r.trial, best: r.best }));
  const categories = numeric ? [] : [...new Set(points.map((p) => String(p.x)))].sort();
  return { numeric, categories, points };
}
