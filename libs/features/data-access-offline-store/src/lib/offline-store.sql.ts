/** DuckDB helpers of the offline store: feature-reference planning, row conversion to JSON scalars, SQL literals and statements. */
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { toJsonScalar } from '@strata/shared/data-access-duckdb';
import { parseFeatureRef, type FeatureView, type OnDemandFeatureView } from './feature-view';
import { EntityFrameError, FeatureReferenceError, OfflineQueryError, OfflineStoreError } from './offline-store.errors';
import { qstr } from '@strata/shared/data-access-duckdb';
import type { ColumnInfo, FeatureViewSource, OutputRow, TimeInput } from './offline-store.types';

export interface RefPlan {
  refs: Array<{ ref: string; view: string; feature: string; output: string }>;
  batch: Map<string, { view: FeatureView; source: FeatureViewSource; features: string[] }>;
  onDemand: Map<string, { view: OnDemandFeatureView; features: Array<OnDemandFeatureView['features'][number]> }>;
  /** output column → ref */
  outputNames: Map<string, string>;
}

export function planRefs(featureRefs: readonly string[], views: ReadonlyArray<FeatureViewSource | OnDemandFeatureView>, full: boolean): RefPlan {
  const byName = new Map<string, FeatureViewSource | OnDemandFeatureView>();
  for (const v of views) byName.set('view' in v ? v.view.name : v.name, v);
  const plan: RefPlan = { refs: [], batch: new Map(), onDemand: new Map(), outputNames: new Map() };
  for (const ref of featureRefs) {
    const { view, feature } = parseFeatureRef(ref);
    const v = byName.get(view);
    if (!v) throw new FeatureReferenceError(ref, `unknown feature view '${view}' (known: ${[...byName.keys()].join(', ') || 'none'})`);
    const output = full ? `${view}__${feature}` : feature;
    const prev = plan.outputNames.get(output);
    if (prev !== undefined) throw new FeatureReferenceError(ref, `output column '${output}' already used by '${prev}'; use fullFeatureNames`);
    plan.outputNames.set(output, ref);
    if ('view' in v) {
      if (!v.view.features.some((f) => f.name === feature)) throw new FeatureReferenceError(ref, `feature view '${view}' has no feature '${feature}'`);
      const b = plan.batch.get(view) ?? { view: v.view, source: v, features: [] };
      if (!b.features.includes(feature)) b.features.push(feature);
      plan.batch.set(view, b);
    } else {
      const f = v.features.find((x) => x.name === feature);
      if (!f) throw new FeatureReferenceError(ref, `on-demand feature view '${view}' has no feature '${feature}'`);
      const o = plan.onDemand.get(view) ?? { view: v, features: [] };
      if (!o.features.includes(f)) o.features.push(f);
      plan.onDemand.set(view, o);
    }
    plan.refs.push({ ref, view, feature, output });
  }
  return plan;
}

export function inferJsType(rows: ReadonlyArray<Readonly<Record<string, unknown>>>, name: string): string | undefined {
  let t: string | undefined;
  for (const r of rows) {
    const v = r[name];
    if (v === null || v === undefined) continue;
    let vt: string;
    if (typeof v === 'boolean') vt = 'BOOLEAN';
    else if (typeof v === 'bigint') vt = 'BIGINT';
    else if (typeof v === 'number') vt = Number.isInteger(v) ? 'BIGINT' : 'DOUBLE';
    else if (v instanceof Date) vt = 'TIMESTAMPTZ';
    else vt = 'VARCHAR';
    if (t === undefined) t = vt;
    else if (t !== vt) t = (t === 'BIGINT' && vt === 'DOUBLE') || (t === 'DOUBLE' && vt === 'BIGINT') ? 'DOUBLE' : 'VARCHAR';
  }
  return t;
}

export function jsonValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return v;
}

export function convertRow(r: Record<string, DuckDBValue>): OutputRow {
  const o: OutputRow = {};
  for (const [k, v] of Object.entries(r)) o[k] = toJsonScalar(v);
  return o;
}

export async function describe(conn: DuckDBConnection, relation: string): Promise<ColumnInfo[]> {
  const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
  return r.getRowObjects().map((x) => ({ name: String(x['column_name']), type: String(x['column_type']) }));
}

export async function run(conn: DuckDBConnection, sql: string, what: string): Promise<void> {
  try {
    await conn.run(sql);
  } catch (e) {
    if (e instanceof OfflineStoreError) throw e;
    throw new OfflineQueryError(what, e);
  }
}

export function pathList(paths: readonly string[]): string {
  return `[${paths.map(qstr).join(', ')}]`;
}

export function tsLit(t: TimeInput): string {
  const s = t instanceof Date ? t.toISOString() : t;
  if (t instanceof Date && Number.isNaN(t.getTime())) throw new EntityFrameError(`invalid Date in time bound`);
  return `CAST(${qstr(s)} AS TIMESTAMPTZ)`;
}

export function defaultMaterializationId(): string {
  const iso = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${iso}-${randomUUID().slice(0, 8)}`;
}
