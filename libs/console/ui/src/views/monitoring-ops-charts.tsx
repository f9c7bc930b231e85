import { useMemo } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import type { AlertWindow } from '../mapping/monitoring';
import { calibrationCurve, opsSeries, type CalibrationPoint, type OpsPoint, type OpsWindow } from '../mapping/monitoring-ops';
import { EChart } from '../components/echart';
import { Empty } from '../components/states';

const ALERT_COLOR = 'rgba(220, 38, 38, 0.12)';
const alertArea = (alerts: readonly AlertWindow[]) => ({ silent: true, itemStyle: { color: ALERT_COLOR }, label: { show: false }, data: alerts.map((a) => [{ xAxis: a.start, name: a.label }, { xAxis: a.end }]) });
const fixed = (digits: number) => (v: unknown) => (typeof v === 'number' ? v.toFixed(digits) : '—');

/** Latency p50/p99 (ms, left axis) and error rate (%, right axis) per window, alert windows shaded. */
export function latencyOption(points: readonly OpsPoint[], alerts: readonly AlertWindow[]): EChartsCoreOption {
  return {
    tooltip: { trigger: 'axis', valueFormatter: fixed(2) },
    legend: { top: 0 },
    grid: { left: 56, right: 56, top: 40, bottom: 30 },
    xAxis: { type: 'time' },
    yAxis: [
      { type: 'value', name: 'ms', min: 0 },
      { type: 'value', name: 'error %', min: 0, splitLine: { show: false } },
    ],
    series: [
      { name: 'p50', type: 'line', data: points.map((p) => [p.t, p.p50Ms]), markArea: alertArea(alerts) },
      { name: 'p99', type: 'line', data: points.map((p) => [p.t, p.p99Ms]) },
      { name: 'error rate %', type: 'line', yAxisIndex: 1, lineStyle: { type: 'dashed' }, data: points.map((p) => [p.t, p.errorRate === null ? null : p.errorRate * 100]) },
    ],
  };
}

/** Share of predictions with a label per window (%), alert windows shaded. */
export function coverageOption(points: readonly OpsPoint[], alerts: readonly AlertWindow[]): EChartsCoreOption {
  return {
    tooltip: { trigger: 'axis', valueFormatter: fixed(1) },
    grid: { left: 56, right: 20, top: 20, bottom: 30 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: 'labeled %', min: 0, max: 100 },
    series: [{ name: 'label coverage %', type: 'line', areaStyle: { opacity: 0.15 }, data: points.map((p) => [p.t, p.labelCoverage === null ? null : p.labelCoverage * 100]), markArea: alertArea(alerts) }],
  };
}

/** Observed positive rate vs mean predicted probability per bin, with the diagonal of perfect calibration. */
export function calibrationOption(curve: readonly CalibrationPoint[]): EChartsCoreOption {
  return {
    tooltip: { trigger: 'item', formatter: (p: { seriesName: string; value: [number, number, number?] }) => (p.value[2] === undefined ? p.seriesName : `predicted ${p.value[0].toFixed(3)} → observed ${p.value[1].toFixed(3)} (${p.value[2]} labels)`) },
    legend: { top: 0 },
    grid: { left: 56, right: 20, top: 40, bottom: 44 },
    xAxis: { type: 'value', min: 0, max: 1, name: 'mean predicted probability', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', min: 0, max: 1, name: 'observed rate' },
    series: [
      { name: 'perfectly calibrated', type: 'line', showSymbol: false, silent: true, lineStyle: { type: 'dashed', color: '#94a3b8' }, data: [[0, 0], [1, 1]] },
      { name: 'model', type: 'line', data: curve.map((c) => [c.meanPredicted, c.observedRate, c.count]) },
    ],
  };
}

/** The serving-health, label-coverage and calibration charts of one version's windows. */
export function OpsCharts({ windows, alerts }: { windows: readonly OpsWindow[]; alerts: readonly AlertWindow[] }) {
  const points = useMemo(() => opsSeries(windows), [windows]);
  const curve = useMemo(() => calibrationCurve(windows), [windows]);
  const latency = useMemo(() => latencyOption(points, alerts), [points, alerts]);
  const coverage = useMemo(() => coverageOption(points, alerts), [points, alerts]);
  const calibration = useMemo(() => calibrationOption(curve), [curve]);
  return (
    <>
      <h2>Latency and error rate</h2>
      {points.some((p) => p.p50Ms !== null || p.errorRate !== null) ? <EChart option={latency} height={260} testId="latency-chart" /> : <Empty>No request in these windows.</Empty>}
      <h2>Label coverage</h2>
      {points.some((p) => p.labelCoverage !== null) ? <EChart option={coverage} height={220} testId="coverage-chart" /> : <Empty>No prediction in these windows.</Empty>}
      <h2>Calibration (all windows shown)</h2>
      {curve.length ? <EChart option={calibration} height={300} testId="calibration-chart" /> : <Empty>No labeled prediction yet.</Empty>}
    </>
  );
}
