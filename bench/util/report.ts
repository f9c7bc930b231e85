/**
 * The shape every side-by-side benchmark returns to `npm run bench` (bench/run.ts), and the PNG
 * chart of one row: a horizontal bar chart rendered server-side with ECharts (SVG renderer, `ssr`)
 * and rasterized with resvg (@resvg/resvg-js), no browser and no canvas.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as echarts from 'echarts';
import { Resvg } from '@resvg/resvg-js';

/** One bar of a chart: a contender and its value in the chart's unit. */
export interface Bar { label: string; value: number }

/** One goal of issue 15 for this row, checked against the measured numbers. */
export interface Goal { goal: string; measured: string; met: boolean }

/** What one suite (one row of issue 15) hands back: a table, charts, goals, the load it ran under. */
export interface SuiteResult {
  title: string;
  /** How it was measured (scale, method, what the peers are and how they were configured). */
  how: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  /** One chart per entry: `name` becomes docs/bench/<suite>-<name>.png. */
  charts: Array<{ name: string; title: string; unit: string; bars: Bar[]; lowerIsBetter: boolean }>;
  goals: Goal[];
  /** 1/5/15-minute load averages before and after the suite. */
  load: { before: number[]; after: number[] };
  /** Raw numbers for the results file. */
  raw?: unknown;
}

/** Bars drawn in blue: Strata's (its labels name Strata or one of its routes); peers in grey. */
const OURS = /strata|route/i;

/** Renders a horizontal bar chart to a PNG file (width 800 px, 48 px per bar). */
export function renderBarChart(file: string, title: string, unit: string, bars: Bar[], lowerIsBetter: boolean): void {
  const height = 90 + 48 * bars.length;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 800, height });
  const labels = bars.map((b) => b.label).reverse();
  const values = bars.map((b) => b.value).reverse();
  chart.setOption({
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: 'DejaVu Sans' },
    title: { text: title, subtext: `${unit} (${lowerIsBetter ? 'lower' : 'higher'} is better)`, left: 10, textStyle: { fontSize: 14 } },
    grid: { left: 300, right: 90, top: 60, bottom: 20 },
    xAxis: { type: 'value', axisLabel: { fontSize: 10 } },
    yAxis: { type: 'category', data: labels, axisLabel: { fontSize: 11, width: 290, overflow: 'truncate' } },
    series: [{
      type: 'bar', data: values.map((v, i) => ({ value: v, itemStyle: { color: OURS.test(labels[i] ?? '') ? '#2f6fdf' : '#9aa4b2' } })),
      label: { show: true, position: 'right', fontSize: 11, formatter: (p: { value: number }) => formatNumber(p.value) },
    }],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: '#ffffff' }).render().asPng();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, png);
}

/** 3 significant digits below 100, thousands separators above. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(3)).toString();
}

/** A suite's table as Markdown. */
export function markdownTable(r: SuiteResult): string {
  const cell = (c: string | number): string => (typeof c === 'number' ? formatNumber(c) : c);
  const lines = [`| ${r.columns.join(' | ')} |`, `|${r.columns.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...r.rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
  return lines.join('\n');
}
