import type { Entity, FeatureService, Materialization, Watermark } from '@strata/contracts/api';
import { formatTime } from './format';

/** A feature view as `GET /feature-views` returns it (batch or on-demand; other fields pass through). */
export interface FeatureViewInput {
  kind?: string;
  name: string;
  features: Array<{ name: string; dtype?: string }>;
  entities?: string[];
  ttlSeconds?: number;
  source?: { datasetName: string };
  description?: string;
}

/** One row of the Feature views list, with its freshness. */
export interface FeatureViewRow {
  name: string;
  /** `batch` or `on-demand`. */
  kind: 'batch' | 'on-demand';
  entities: string;
  features: string[];
  /** The dataset a batch view reads, `—` for on-demand views. */
  source: string;
  /** `1d`, `2h`, `none` (0: no limit), `—` (on-demand). */
  ttl: string;
  /** Newest event time materialized (watermark), `—` when never materialized. */
  watermark: string;
  /** End (exclusive) of the event time covered: the next incremental start. */
  materializedUntil: string;
  /** Age of the watermark at `now`, e.g. `3d 4h`; `—` when never materialized or on-demand. */
  watermarkAge: string;
  /** The newest materialization run: `SUCCEEDED incremental, 2024-03-02 11:30, 1200 rows`, or `never`. */
  lastMaterialization: string;
  /** Status of the newest run (SUCCEEDED | FAILED | RUNNING), null when none. */
  lastStatus: string | null;
  /** The newest run's error, when it failed. */
  lastError: string | null;
  /** `fresh`, `stale` (watermark older than the view's TTL), `never` (no successful run) or `on-demand`. */
  freshness: 'fresh' | 'stale' | 'never' | 'on-demand';
}

/**
 * Feature views + their watermarks (`GET /feature-views/{name}/watermark`; null = 404, never
 * materialized) + materialization runs (`GET /materializations`, newest first) → rows by name.
 * `now` (epoch ms) dates the watermark: a batch view whose watermark is older than its TTL is `stale`.
 */
export function featureViewRows(
  views: readonly FeatureViewInput[],
  watermarks: ReadonlyMap<string, Watermark | null>,
  materializations: readonly Materialization[],
  now: number,
): FeatureViewRow[] {
  const newest = new Map<string, Materialization>();
  for (const m of materializations) {
    const seen = newest.get(m.featureView);
    if (!seen || m.startedAt > seen.startedAt) newest.set(m.featureView, m);
  }
  return [...views]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((v) => {
      const onDemand = v.kind === 'on_demand_feature_view';
      const w = watermarks.get(v.name) ?? null;
      const last = newest.get(v.name);
      const at = w?.maxEventTime ? Date.parse(w.maxEventTime) : NaN;
      const ageMs = Number.isNaN(at) ? null : Math.max(0, now - at);
      const ttl = v.ttlSeconds ?? 0;
      const freshness: FeatureViewRow['freshness'] = onDemand ? 'on-demand' : ageMs === null ? 'never' : ttl > 0 && ageMs > ttl * 1000 ? 'stale' : 'fresh';
      return {
        name: v.name,
        kind: onDemand ? 'on-demand' : 'batch',
        entities: (v.entities ?? []).join(', ') || '—',
        features: v.features.map((f) => (f.dtype ? `${f.name}: ${f.dtype}` : f.name)),
        source: v.source?.datasetName ?? '—',
        ttl: onDemand ? '—' : ttl === 0 ? 'none' : formatDuration(ttl * 1000),
        watermark: formatTime(w?.maxEventTime),
        materializedUntil: formatTime(w?.materializedUntil),
        watermarkAge: ageMs === null || onDemand ? '—' : formatDuration(ageMs),
        lastMaterialization: last ? `${last.status} ${last.mode}, ${formatTime(last.completedAt ?? last.startedAt)}${last.rowCount === null ? '' : `, ${last.rowCount} rows`}` : 'never',
        lastStatus: last?.status ?? null,
        lastError: last?.error ?? null,
        freshness,
      };
    });
}

/** `3d 4h`, `2h 5m`, `40s` (the two largest units). */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const parts: Array<[number, string]> = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return '0s';
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, u]) => `${n}${u}`)
    .join(' ');
}

/** One entity: its join key and value type; description `—` when empty. */
export interface EntityRow {
  name: string;
  joinKey: string;
  valueType: string;
  description: string;
}

/** Entities (`GET /entities`) → rows by name. */
export function entityRows(entities: readonly Entity[]): EntityRow[] {
  return [...entities].sort((a, b) => a.name.localeCompare(b.name)).map((e) => ({ name: e.name, joinKey: e.joinKey, valueType: e.valueType, description: e.description || '—' }));
}

/** One feature service: its features grouped by view (`view:feature` references, in output order). */
export interface FeatureServiceRow {
  name: string;
  description: string;
  featureCount: number;
  /** `view: f1, f2` per view, views in order of first use. */
  byView: string[];
}

/** Feature services (`GET /feature-services`) → rows by name. */
export function featureServiceRows(services: readonly FeatureService[]): FeatureServiceRow[] {
  return [...services]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => {
      const groups = new Map<string, string[]>();
      for (const ref of s.features) {
        const i = ref.indexOf(':');
        const view = i < 0 ? '' : ref.slice(0, i);
        const feature = i < 0 ? ref : ref.slice(i + 1);
        groups.set(view, [...(groups.get(view) ?? []), feature]);
      }
      return { name: s.name, description: s.description || '—', featureCount: s.features.length, byView: [...groups].map(([view, fs]) => (view ? `${view}: ${fs.join(', ')}` : fs.join(', '))) };
    });
}
