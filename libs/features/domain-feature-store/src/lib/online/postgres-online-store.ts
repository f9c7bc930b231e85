import { OnlineFeatureEntity, tableName } from '@strata/features/data-access';
import type { DataSource, EntityManager } from 'typeorm';
import type { OnlineReadOptions, OnlineRow, OnlineStore, OnlineWriteOptions, OnlineWriteRow } from './online-store';

/**
 * The PostgreSQL online store: table `online_feature` (primary key `(feature_view, entity_key)`,
 * `features` jsonb, event/created timestamps). Writes are one `INSERT … ON CONFLICT DO UPDATE …
 * WHERE newer` per batch, inside the caller's transaction when `options.manager` is given.
 */
export class PostgresOnlineStore implements OnlineStore {
  readonly kind = 'postgres';

  /** @param dataSource returns the initialized DataSource of the features schema. */
  constructor(private readonly dataSource: () => DataSource) {}

  async write(view: string, rows: readonly OnlineWriteRow[], options: OnlineWriteOptions = {}): Promise<number> {
    if (rows.length === 0) return 0;
    // Within one statement a key may appear once only: keep the newest per key (same rule).
    const newest = new Map<string, OnlineWriteRow>();
    for (const r of rows) {
      const cur = newest.get(r.entityKey);
      if (!cur || isNewer(r, cur)) newest.set(r.entityKey, r);
    }
    const list = [...newest.values()];
    const m: EntityManager = options.manager ?? this.dataSource().manager;
    const res: unknown[] = await m.query(
      `INSERT INTO ${tableName(m, OnlineFeatureEntity)} AS o (feature_view, entity_key, features, event_timestamp, created_timestamp)
       SELECT $1, k, f, e, c FROM unnest($2::text[], $3::jsonb[], $4::timestamptz[], $5::timestamptz[]) AS u(k, f, e, c)
       ON CONFLICT (feature_view, entity_key) DO UPDATE
         SET features = EXCLUDED.features, event_timestamp = EXCLUDED.event_timestamp, created_timestamp = EXCLUDED.created_timestamp
         WHERE o.event_timestamp < EXCLUDED.event_timestamp
            OR (o.event_timestamp = EXCLUDED.event_timestamp AND o.created_timestamp < EXCLUDED.created_timestamp)
       RETURNING 1`,
      [view, list.map((r) => r.entityKey), list.map((r) => JSON.stringify(r.features)), list.map((r) => r.eventTimestamp.toISOString()), list.map((r) => r.createdTimestamp.toISOString())],
    );
    return res.length;
  }

  /**
   * One `SELECT … WHERE entity_key = ANY(…)`. With `options.asOf`, the `features` of a row whose
   * event time is after `asOf` are not even selected (`CASE … END` is NULL): it comes back
   * `afterAsOf: true` with `features: {}`.
   */
  async read(view: string, keys: readonly string[], options: OnlineReadOptions = {}): Promise<Map<string, OnlineRow>> {
    const ds = this.dataSource();
    const asOf = options.asOf?.toISOString() ?? null;
    const rows: Array<{ entity_key: string; features: Record<string, unknown> | null; event_timestamp: Date; created_timestamp: Date; after_as_of: boolean }> = await ds.query(
      `SELECT entity_key,
              CASE WHEN $3::timestamptz IS NULL OR event_timestamp <= $3::timestamptz THEN features END AS features,
              event_timestamp, created_timestamp,
              ($3::timestamptz IS NOT NULL AND event_timestamp > $3::timestamptz) AS after_as_of
         FROM ${tableName(ds.manager, OnlineFeatureEntity)} WHERE feature_view = $1 AND entity_key = ANY($2::text[])`,
      [view, [...new Set(keys)], asOf],
    );
    return new Map(
      rows.map((r) => [
        r.entity_key,
        r.after_as_of
          ? { entityKey: r.entity_key, features: {}, eventTimestamp: r.event_timestamp, createdTimestamp: r.created_timestamp, afterAsOf: true as const }
          : { entityKey: r.entity_key, features: r.features ?? {}, eventTimestamp: r.event_timestamp, createdTimestamp: r.created_timestamp },
      ]),
    );
  }

  async deleteView(view: string, options: OnlineWriteOptions = {}): Promise<void> {
    const m = options.manager ?? this.dataSource().manager;
    await m.query(`DELETE FROM ${tableName(m, OnlineFeatureEntity)} WHERE feature_view = $1`, [view]);
  }

  async close(): Promise<void> {
    // The DataSource belongs to the platform.
  }
}

/** The write rule: newer event time, or equal event time and newer created time. */
export function isNewer(a: Pick<OnlineWriteRow, 'eventTimestamp' | 'createdTimestamp'>, b: Pick<OnlineWriteRow, 'eventTimestamp' | 'createdTimestamp'>): boolean {
  const ea = a.eventTimestamp.getTime();
  const eb = b.eventTimestamp.getTime();
  return ea > eb || (ea === eb && a.createdTimestamp.getTime() > b.createdTimestamp.getTime());
}
