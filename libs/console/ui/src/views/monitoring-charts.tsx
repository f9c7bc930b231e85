import type { EChartsCoreOption } from 'echarts/core';
import type { MonitoringView } from '../mapping/monitoring';

const ALERT_COLOR = 'rgba(220, 38, 38, 0.12)';

/** Alert windows as an ECharts markArea (shaded, labelled). */
function alertArea(view: MonitoringView) {
  return {
    silent: true,
    itemStyle: { color: ALERT_COLOR },
    label: { show: false },
    data: view.alerts.map((a) => [{ xAxis: a.start, name: a.label }, { xAxis: a.end }]),
  };
}

/** Drift score per feature over time, the threshold of each method as a dashed line, alert windows shaded. */
export function driftOption(view: MonitoringView): EChartsCoreOption {
  const thresholds = [...new Set(view.drift.map((d) => d.threshold))];
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : '—') },
    legend: { type: 'scroll', top: 0 },
    grid: { left: 50, right: 20, top: 40, bottom: 30 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: 'drift score' },
    series: view.drift.map((d, i) => ({
      name: `${d.feature} (${d.method})`,
      type: 'line',
      showSymbol: true,
      connectNulls: false,
      data: d.points.map(([t, s]) => [t, s]),
      ...(i === 0
        ? {
            markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#dc2626' }, label: { formatter: 'threshold {c}' }, data: thresholds.map((t) => ({ yAxis: t })) },
            markArea: alertArea(view),
          }
        : {}),
    })),
  };
}

/** ROC AUC and accuracy over time (windows without enough labels are gaps), alert windows shaded. */
export function performanceOption(view: MonitoringView): EChartsCoreOption {
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : '—') },
    legend: { top: 0 },
    grid: { left: 50, right: 20, top: 40, bottom: 30 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', min: 0, max: 1 },
    series: [
      { name: 'ROC AUC', type: 'line', data: view.performance.map((p) => [p.t, p.rocAuc]), markArea: alertArea(view) },
      { name: 'accuracy', type: 'line', data: view.performance.map((p) => [p.t, p.accuracy]) },
    ],
  };
}
