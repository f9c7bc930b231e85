import { Inject, Injectable } from '@nestjs/common';
import { DuckDBOfflineStore, OFFLINE_STORE, parseFeatureRef, type Entity, type FeatureView, type OnDemandFeatureView } from '@strata/features/data-access-offline-store';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import { z } from 'zod';
import { entityKey } from './canonical';
import { toAppError } from './errors';
import { FeatureRegistryService } from './feature-registry.service';
import { coerceValue } from './values';
import { ONLINE_STORE, type OnlineStore } from './online/online-store';

/** Most entity rows one `POST /get-online-features` may ask for (more → 400). */
export const MAX_ONLINE_ENTITY_ROWS = 10_000;

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Body of `POST /get-online-features` (Feast feature-server shape plus the optional `as_of`). */
export const getOnlineFeaturesSchema = z
  .object({
    /** Feature references `view:feature`. */
    features: z.array(z.string().min(1)).min(1).optional(),
    /** Name of a feature service (YAML `kind: FeatureService`); a training-set definition name is accepted too. */
    feature_service: z.string().min(1).optional(),
    /** Join key → one value per entity row (all lists the same length). */
    entities: z.record(z.string().min(1), z.array(cell).min(1)),
    /** Name outputs `<view>__<feature>` (default false: `<feature>`). */
    full_feature_names: z.boolean().optional(),
    /**
     * Non-Feast: the point in time of the request (ISO-8601, default now). TTLs are evaluated
     * against it, and a stored value whose event time is after it is never PRESENT: it is
     * answered `OUTSIDE_AS_OF` with value null (the online store keeps the latest row per key
     * only; the value as of a past instant is what `/get-historical-features` answers).
     */
    as_of: z.iso.datetime({ offset: true }).optional(),
    /** Request-time columns for on-demand views (one value per entity row); entity columns are used too. */
    request_data: z.record(z.string().min(1), z.array(cell)).optional(),
    /**
     * Feast client flag (sent by Feast's `remote` online store): ask for `metadata.feature_view_metadata`
     * (name and version of each view). Strata's feature views are not versioned: accepted, and no
     * such metadata is returned (the client treats it as optional).
     */
    include_feature_view_version_metadata: z.boolean().optional(),
  })
  .strict()
  .refine((b) => (b.features === undefined) !== (b.feature_service === undefined), { message: 'give exactly one of features or feature_service', path: ['features'] });
/** Parsed {@link getOnlineFeaturesSchema}. */
export type GetOnlineFeaturesRequest = z.infer<typeof getOnlineFeaturesSchema>;

/**
 * Per-value status: Feast's PRESENT / NOT_FOUND / OUTSIDE_MAX_AGE, plus `OUTSIDE_AS_OF` (non-Feast):
 * the stored row's event time is after the request's `as_of`, so its value is withheld (null).
 */
export type FieldStatus = 'PRESENT' | 'NOT_FOUND' | 'OUTSIDE_MAX_AGE' | 'OUTSIDE_AS_OF';

/** Feast-compatible response: one result per name in `metadata.feature_names`, values per entity row. */
export interface GetOnlineFeaturesResponse {
  metadata: { feature_names: string[] };
  results: Array<{ values: unknown[]; statuses: FieldStatus[]; event_timestamps: string[] }>;
}

const EPOCH_ISO = '1970-01-01T00:00:00Z';

/**
 * Online retrieval (Feast `get_online_features`): batch-view values from the configured online
 * store (PostgreSQL or Redis) with PRESENT / NOT_FOUND / OUTSIDE_MAX_AGE (row older than the view's TTL relative to
 * `as_of` or now; its value is then null) / OUTSIDE_AS_OF (the stored latest row's event time is
 * after `as_of` or now: never read, value null, event timestamp 1970-01-01), and on-demand
 * features computed from the request.
 *
 * Point-in-time rule: a value is PRESENT only when `as_of − TTL ≤ event time ≤ as_of` (TTL 0 =
 * no lower bound), the same interval as the offline point-in-time join; so the online answer at
 * an instant is either the offline answer or null with a non-PRESENT status.
 */
@Injectable()
export class OnlineFeaturesService {
  constructor(
    private readonly registry: FeatureRegistryService,
    @Inject(ONLINE_STORE) private readonly online: OnlineStore,
    @Inject(OFFLINE_STORE) private readonly offline: DuckDBOfflineStore,
  ) {}

  /**
   * @throws InvalidArgumentError (400) for unknown refs / views, ragged entity lists, more than
   *   {@link MAX_ONLINE_ENTITY_ROWS} rows, missing join keys, keys of the wrong type or request columns.
   * @throws NotFoundError (404) unknown feature service.
   */
  async get(req: GetOnlineFeaturesRequest): Promise<GetOnlineFeaturesResponse> {
    const reg = await this.registry.loadCached();
    const refs = req.features ?? (await this.registry.featureServiceRefs(req.feature_service!, reg));
    const rowCount = Math.max(0, ...Object.values(req.entities).map((v) => v.length));
    if (rowCount > MAX_ONLINE_ENTITY_ROWS)
      throw new InvalidArgumentError(`Invalid request body: entities: ${rowCount} entity rows requested, at most ${MAX_ONLINE_ENTITY_ROWS} per request`, {
        details: { rows: rowCount, max: MAX_ONLINE_ENTITY_ROWS },
      });
    const lengths = new Set(Object.values(req.entities).map((v) => v.length));
    for (const v of Object.values(req.request_data ?? {})) lengths.add(v.length);
    if (lengths.size !== 1) throw new InvalidArgumentError(`Invalid request body: entities/request_data: every list must have the same length (got ${[...lengths].join(', ')})`);
    const n = [...lengths][0]!;
    const asOf = req.as_of ? new Date(req.as_of) : new Date();
    const full = req.full_feature_names ?? false;

    const names: string[] = [];
    const results: GetOnlineFeaturesResponse['results'] = [];
    for (const [k, values] of Object.entries(req.entities)) {
      names.push(k);
      results.push({ values, statuses: values.map(() => 'PRESENT' as const), event_timestamps: values.map(() => EPOCH_ISO) });
    }

    const parsed = refs.map((ref, i) => {
      let p: { view: string; feature: string };
      try {
        p = parseFeatureRef(ref);
      } catch (e) {
        throw new InvalidArgumentError(`Invalid request body: features.${i}: ${(e as Error).message}`);
      }
      const fv = reg.featureViews.find((v) => v.name === p.view);
      const odfv = reg.onDemandFeatureViews.find((v) => v.name === p.view);
      const view = fv ?? odfv;
      if (!view) throw new InvalidArgumentError(`Invalid request body: features.${i}: unknown feature view '${p.view}' in '${ref}'`);
      if (!view.features.some((f) => f.name === p.feature)) throw new InvalidArgumentError(`Invalid request body: features.${i}: feature view '${p.view}' has no feature '${p.feature}'`);
      return { ref, ...p, fv, odfv };
    });

    // Batch views: one online read per view.
    const rowsByView = new Map<string, { keys: string[]; rows: Awaited<ReturnType<OnlineStore['read']>> }>();
    for (const fv of unique(parsed.flatMap((p) => (p.fv ? [p.fv] : [])))) {
      const keys = Array.from({ length: n }, (_, i) => entityKey(Object.fromEntries(fv.entities.map((k) => [k, this.keyValue(reg.entities, fv, k, req.entities, i)]))));
      rowsByView.set(fv.name, { keys, rows: await this.online.read(fv.name, keys, { asOf }) });
    }
    // On-demand views: evaluated with DuckDB on the request columns.
    const odValues = new Map<string, Record<string, unknown>[]>();
    const odfvs = unique(parsed.flatMap((p) => (p.odfv ? [p.odfv] : [])));
    if (odfvs.length > 0) odValues.set('*', await this.onDemand(odfvs, parsed.filter((p) => p.odfv).map((p) => p.ref), req, n, asOf));

    // A row's event time as ISO-8601, formatted once per row (not once per feature of the row).
    const isoOf = new Map<object, string>();
    const iso = (row: { eventTimestamp: Date }): string => {
      let s = isoOf.get(row);
      if (s === undefined) isoOf.set(row, (s = row.eventTimestamp.toISOString()));
      return s;
    };
    const asOfMs = asOf.getTime();
    for (const p of parsed) {
      names.push(full ? `${p.view}__${p.feature}` : p.feature);
      if (p.fv) {
        const { keys, rows } = rowsByView.get(p.fv.name)!;
        const ttlMs = p.fv.ttlSeconds * 1000;
        const r = { values: [] as unknown[], statuses: [] as FieldStatus[], event_timestamps: [] as string[] };
        for (const key of keys) {
          const row = rows.get(key);
          if (!row) {
            r.values.push(null);
            r.statuses.push('NOT_FOUND');
            r.event_timestamps.push(EPOCH_ISO);
          } else if (row.afterAsOf || row.eventTimestamp.getTime() > asOfMs) {
            // The future of the request: neither the value nor its time is answered.
            r.values.push(null);
            r.statuses.push('OUTSIDE_AS_OF');
            r.event_timestamps.push(EPOCH_ISO);
          } else if (ttlMs > 0 && row.eventTimestamp.getTime() < asOfMs - ttlMs) {
            r.values.push(null);
            r.statuses.push('OUTSIDE_MAX_AGE');
            r.event_timestamps.push(iso(row));
          } else {
            r.values.push(row.features[p.feature] ?? null);
            r.statuses.push('PRESENT');
            r.event_timestamps.push(iso(row));
          }
        }
        results.push(r);
      } else {
        const rows = odValues.get('*')!;
        results.push({
          values: rows.map((row) => row[`${p.view}__${p.feature}`] ?? null),
          statuses: rows.map(() => 'PRESENT' as const),
          event_timestamps: rows.map(() => asOf.toISOString()),
        });
      }
    }
    return { metadata: { feature_names: names }, results };
  }

  private keyValue(entities: readonly Entity[], fv: FeatureView, joinKey: string, given: Record<string, unknown[]>, i: number): unknown {
    const list = given[joinKey];
    if (!list) throw new InvalidArgumentError(`Invalid request body: entities: missing join key '${joinKey}' required by feature view '${fv.name}'`);
    const v = list[i];
    const type = entities.find((e) => e.joinKey === joinKey)?.valueType;
    const r = coerceValue(type, v);
    if (v === null || v === undefined || !r.ok)
      throw new InvalidArgumentError(`Invalid request body: entities.${joinKey}.${i}: expected ${type ?? 'a value'} for join key '${joinKey}', got ${JSON.stringify(v)}`, {
        details: { joinKey, index: i, expected: type },
      });
    return r.value;
  }

  private async onDemand(views: OnDemandFeatureView[], refs: string[], req: GetOnlineFeaturesRequest, n: number, asOf: Date): Promise<Record<string, unknown>[]> {
    const TS = '__strata_request_time';
    const rows = Array.from({ length: n }, (_, i) => {
      const r: Record<string, unknown> = { [TS]: asOf.toISOString() };
      for (const v of views)
        for (const c of v.requestSchema) {
          const list = req.request_data?.[c.name] ?? req.entities[c.name];
          if (!list) throw new InvalidArgumentError(`Invalid request body: request_data: missing column '${c.name}' required by on-demand feature view '${v.name}'`);
          r[c.name] = list[i];
        }
      return r;
    });
    try {
      const res = await this.offline.getHistoricalFeatures({ rows }, refs, views, { eventTimestampColumn: TS, fullFeatureNames: true });
      return res.rows ?? [];
    } catch (e) {
      throw toAppError(e);
    }
  }
}

function unique<T extends { name: string }>(xs: T[]): T[] {
  const seen = new Map<string, T>();
  for (const x of xs) if (!seen.has(x.name)) seen.set(x.name, x);
  return [...seen.values()];
}
