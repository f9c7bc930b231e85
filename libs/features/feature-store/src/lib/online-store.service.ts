import { Injectable } from '@nestjs/common';
import type { FeatureView, OutputRow } from '@strata/features/data-access-offline-store';
import { OnlineFeatureEntity, tableName } from '@strata/features/data-access';
import { DatabaseService } from '@strata/shared/nest-platform';
import type { EntityManager } from 'typeorm';
import { entityKey } from './canonical';

/** One online row as read back. */
export interface OnlineRow {
  entityKey: string;
  features: Record<string, unknown>;
  eventTimestamp: Date;
  createdTimestamp: Date;
}

/**
 * The PostgreSQL online store (`online_feature`): latest feature values per (view, entity key).
 * Writes are upserts that only replace a row when the incoming `event_timestamp` is newer (or
 * equal with a newer `created_timestamp`), so replays and out-of-order runs are harmless.
 */
@Injectable()
export class OnlineStoreService {
  constructor(private readonly database: DatabaseService) {}

  /**
   * Upserts materialized rows (join keys, `event_timestamp`, `created_timestamp`, features) of `view`.
   * @returns how many rows were inserted or replaced.
   */
  async upsert(manager: EntityManager, view: FeatureView, rows: readonly OutputRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const keys: string[] = [];
    const feats: string[] = [];
    const ets: string[] = [];
    const cts: string[] = [];
    for (const r of rows) {
      const k: Record<string, unknown> = {};
      for (const j of view.entities) k[j] = r[j];
      keys.push(entityKey(k));
      const f: Record<string, unknown> = {};
      for (const x of view.features) f[x.name] = r[x.name] ?? null;
      feats.push(JSON.stringify(f));
      ets.push(String(r['event_timestamp']));
      cts.push(String(r['created_timestamp'] ?? r['event_timestamp']));
    }
    const t = tableName(manager, OnlineFeatureEntity);
    const res: unknown[] = await manager.query(
      `INSERT INTO ${t} AS o (feature_view, entity_key, features, event_timestamp, created_timestamp)
       SELECT $1, k, f, e, c FROM unnest($2::text[], $3::jsonb[], $4::timestamptz[], $5::timestamptz[]) AS u(k, f, e, c)
       ON CONFLICT (feature_view, entity_key) DO UPDATE
         SET features = EXCLUDED.features, event_timestamp = EXCLUDED.event_timestamp, created_timestamp = EXCLUDED.created_timestamp
         WHERE o.event_timestamp < EXCLUDED.event_timestamp
            OR (o.event_timestamp = EXCLUDED.event_timestamp AND o.created_timestamp < EXCLUDED.created_timestamp)
       RETURNING 1`,
      [view.name, keys, feats, ets, cts],
    );
    return res.length;
  }

  /** Reads the rows of `view` for the given entity keys (missing keys are absent from the map). */
  async read(viewName: string, keys: readonly string[]): Promise<Map<string, OnlineRow>> {
    const ds = this.database.getDataSource();
    const rows: Array<{ entity_key: string; features: Record<string, unknown>; event_timestamp: Date; created_timestamp: Date }> = await ds.query(
      `SELECT entity_key, features, event_timestamp, created_timestamp FROM ${tableName(ds.manager, OnlineFeatureEntity)} WHERE feature_view = $1 AND entity_key = ANY($2::text[])`,
      [viewName, [...new Set(keys)]],
    );
    return new Map(rows.map((r) => [r.entity_key, { entityKey: r.entity_key, features: r.features, eventTimestamp: r.event_timestamp, createdTimestamp: r.created_timestamp }]));
  }
}
