import type { EChartsCoreOption } from 'echarts/core';
import type { MetricSeries, TrialRow } from '../mapping/runs';
import { metricVsParam } from '../mapping/runs';

/** Tracked metric series (e.g. loss per iteration) on a step axis. */
export function seriesOption(series: readonly MetricSeries[]): EChartsCoreOption {
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toPrecision(4) : '—') },
    legend: { type: 'scroll', top: 0 },
    grid: { left: 60, right: 20, top: 40, bottom: 40 },
    xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 26, minInterval: 1 },
    yAxis: { type: 'value', scale: true },
    series: series.map((s) => ({ name: s.key, type: 'line', showSymbol: s.points.length <= 50, data: s.points })),
  };
}

/** The search metric against one param, one point per trial; the best trial highlighted. */
export function metricVsParamOption(rows: readonly TrialRow[], param: string, metric: string): EChartsCoreOption {
  const m = metricVsParam(rows, param);
  const point = (p: (typeof m.points)[number]) => ({ value: [p.x, p.y], name: `trial ${p.trial}`, itemStyle: p.best ? { color: '#16a34a' } : undefined, symbolSize: p.best ? 14 : 9 });
  const xs = m.numeric ? m.points.map((p) => p.x as number) : [];
  // a param spread over decades (a regularisation strength) reads better on a log axis
  const log = xs.length > 1 && Math.min(...xs) > 0 && Math.max(...xs) / Math.min(...xs) >= 100;
  return {
    tooltip: { trigger: 'item', formatter: (p: { name: string; value: [unknown, number] }) => `${p.name}: ${param}=${String(p.value[0])}, ${metric}=${p.value[1].toFixed(4)}` },
    grid: { left: 60, right: 20, top: 20, bottom: 44 },
    xAxis: m.numeric ? { type: log ? 'log' : 'value', name: log ? `${param} (log)` : param, nameLocation: 'middle', nameGap: 28, scale: !log } : { type: 'category', name: param, nameLocation: 'middle', nameGap: 28, data: m.categories },
    yAxis: { type: 'value', name: metric, scale: true },
    series: [{ type: 'scatter', data: m.points.map(point) }],
  };
}
