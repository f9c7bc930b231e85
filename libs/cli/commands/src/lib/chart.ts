import * as asciichart from 'asciichart';

/** One line of a chart: a name and one value per x label (null = no value in that window). */
export interface Series {
  name: string;
  values: Array<number | null>;
}

const COLORS = [asciichart.blue, asciichart.red, asciichart.green, asciichart.magenta, asciichart.cyan, asciichart.yellow];
const MARKS = ['blue', 'red', 'green', 'magenta', 'cyan', 'yellow'];

/** Missing values carried forward, then backward (asciichart draws only finite numbers). */
export function fillGaps(values: Array<number | null>): number[] | null {
  const firstIndex = values.findIndex((v) => v !== null && Number.isFinite(v));
  if (firstIndex < 0) return null;
  let last = values[firstIndex] as number;
  return values.map((v) => (v !== null && Number.isFinite(v) ? (last = v) : last));
}

/**
 * asciichart rounds the y range to whole numbers when every point has the same value (its scale
 * is then 1), so one window at ROC AUC 0.519 was labelled 1.000. A flat chart gets an explicit
 * range around the value (±5 %, ±1 at 0) so the axis names the value itself.
 */
export function flatRange(data: number[][]): { min: number; max: number } | Record<string, never> {
  const all = data.flat();
  const lo = Math.min(...all);
  if (all.length === 0 || lo !== Math.max(...all)) return {};
  const d = lo === 0 ? 1 : Math.abs(lo) * 0.05;
  return { min: lo - d, max: lo + d };
}

/**
 * A terminal line chart (asciichart) of `series` over `labels` (e.g. window starts), each point
 * repeated to fill about `width` columns, with a legend naming each series' colour and the
 * first/last label. Series with no value are left out; null when nothing is left. Missing
 * windows are drawn flat at the previous value (said in the legend).
 */
export function lineChart(title: string, labels: string[], series: Series[], opts: { height?: number; width?: number; color?: boolean } = {}): string | null {
  const drawn = series.map((s) => ({ name: s.name, filled: fillGaps(s.values), gaps: s.values.some((v) => v === null) })).filter((s) => s.filled !== null).slice(0, COLORS.length);
  if (drawn.length === 0 || labels.length === 0) return null;
  const repeat = Math.max(1, Math.floor((opts.width ?? 60) / labels.length));
  const data = drawn.map((s) => s.filled!.flatMap((v) => Array<number>(repeat).fill(v)));
  const color = opts.color ?? Boolean(process.stdout.isTTY);
  const plot = asciichart.plot(data, { height: opts.height ?? 8, ...flatRange(data), ...(color ? { colors: COLORS.slice(0, data.length) } : {}), format: (x: number) => x.toFixed(3).padStart(8) });
  const legend = drawn.map((s, i) => `${color ? `${COLORS[i]}──${asciichart.reset}` : `[${MARKS[i]}]`} ${s.name}${s.gaps ? ' (missing windows drawn flat)' : ''}`).join('   ');
  const axis = `${' '.repeat(10)}${labels[0]}${labels.length > 1 ? ` … ${labels[labels.length - 1]} (${labels.length} windows)` : ''}`;
  return `${title}\n${plot}\n${axis}\n${legend}`;
}
