import type { FeatureView, OutputRow } from '@strata/features/data-access-offline-store';
import { entityKey } from '../canonical';
import type { OnlineWriteRow } from './online-store';

/**
 * Materialized / pushed rows (join keys, `event_timestamp`, `created_timestamp` as ISO strings or
 * Dates, features) of `view` → online rows (canonical entity key, features of the view only).
 */
export function toOnlineRows(view: FeatureView, rows: ReadonlyArray<Readonly<Record<string, unknown>>> | readonly OutputRow[]): OnlineWriteRow[] {
  return rows.map((r) => {
    const k: Record<string, unknown> = {};
    for (const j of view.entities) k[j] = r[j];
    const f: Record<string, unknown> = {};
    for (const x of view.features) f[x.name] = r[x.name] ?? null;
    const ets = new Date(r['event_timestamp'] as string | Date);
    return { entityKey: entityKey(k), features: f, eventTimestamp: ets, createdTimestamp: r['created_timestamp'] == null ? ets : new Date(r['created_timestamp'] as string | Date) };
  });
}
