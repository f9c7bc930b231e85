import { Inject, Injectable } from '@nestjs/common';
import { DuckDBOfflineStore, OFFLINE_STORE, parseFeatureRef, type ColumnInfo, type FeatureViewSource, type OnDemandFeatureView, type OutputRow } from '@strata/features/data-access-offline-store';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import { z } from 'zod';
import { toAppError } from './errors';
import { FeatureRegistryService } from './feature-registry.service';
import { MaterializationService } from './materialization.service';
import { coerceValue, parseTimestamp } from './values';

/** Most entity rows one synchronous `POST /get-historical-features` may carry (bigger frames: `POST /training-sets`). */
export const MAX_HISTORICAL_ENTITY_ROWS = 10_000;

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Body of `POST /get-historical-features` (synchronous point-in-time join of a small entity frame). */
export const getHistoricalFeaturesSchema = z
  .object({
    features: z.array(z.string().min(1)).min(1).optional(),
    feature_service: z.string().min(1).optional(),
    /** Entity frame as columns: join keys, the event-time column and any extra columns (kept). May be empty lists. */
    entities: z.record(z.string().min(1), z.array(cell)),
    /** Event-time column of `entities` (default `event_timestamp`); ISO-8601, naive = UTC. */
    event_timestamp_column: z.string().min(1).default('event_timestamp'),
    full_feature_names: z.boolean().optional(),
    /** Never use feature rows created after the entity row's time (default true). */
    as_of_known_time: z.boolean().optional(),
  })
  .strict()
  .refine((b) => (b.features === undefined) !== (b.feature_service === undefined), { message: 'give exactly one of features or feature_service', path: ['features'] });
/** Parsed {@link getHistoricalFeaturesSchema}. */
export type GetHistoricalFeaturesRequest = z.infer<typeof getHistoricalFeaturesSchema>;

/** Result: output schema and one row per entity row, in input order. */
export interface GetHistoricalFeaturesResponse {
  columns: ColumnInfo[];
  rows: OutputRow[];
}

/**
 * Synchronous offline retrieval for small entity frames: the same point-in-time join as
 * training-set builds (`DuckDBOfflineStore.getHistoricalFeatures`) over each batch view's
 * offline files (`MaterializationService.offlineFiles`: latest full run, later windows, pushes).
 */
@Injectable()
export class HistoricalFeaturesService {
  constructor(
    private readonly registry: FeatureRegistryService,
    private readonly materializations: MaterializationService,
    @Inject(OFFLINE_STORE) private readonly offline: DuckDBOfflineStore,
  ) {}

  /**
   * @throws InvalidArgumentError (400) unknown refs, ragged columns, too many rows, a malformed
   *   timestamp (`entities.<column>.<row>`), a join key of the wrong type; NotFoundError (404) unknown feature service.
   */
  async get(req: GetHistoricalFeaturesRequest): Promise<GetHistoricalFeaturesResponse> {
    const reg = await this.registry.load();
    const refs = req.features ?? (await this.registry.featureServiceRefs(req.feature_service!, reg));
    const cols = Object.keys(req.entities);
    const lengths = new Set(cols.map((c) => req.entities[c]!.length));
    if (lengths.size > 1) throw new InvalidArgumentError(`Invalid request body: entities: every list must have the same length (got ${[...lengths].join(', ')})`);
    const n = [...lengths][0] ?? 0;
    if (n > MAX_HISTORICAL_ENTITY_ROWS)
      throw new InvalidArgumentError(`Invalid request body: entities: ${n} entity rows, at most ${MAX_HISTORICAL_ENTITY_ROWS} per request (use POST /training-sets)`);
    const tsCol = req.event_timestamp_column;
    if (n > 0 && !(tsCol in req.entities)) throw new InvalidArgumentError(`Invalid request body: entities: missing event-time column '${tsCol}'`);
    const views: Array<FeatureViewSource | OnDemandFeatureView> = [];
    for (const [i, ref] of refs.entries()) {
      let p: { view: string; feature: string };
      try {
        p = parseFeatureRef(ref);
      } catch (e) {
        throw new InvalidArgumentError(`Invalid request body: features.${i}: ${(e as Error).message}`);
      }
      if (views.some((v) => ('view' in v ? v.view.name : v.name) === p.view)) continue;
      const fv = reg.featureViews.find((v) => v.name === p.view);
      const od = reg.onDemandFeatureViews.find((v) => v.name === p.view);
      if (fv) views.push({ view: fv, uris: (await this.materializations.offlineFiles(fv.name)).uris });
      else if (od) views.push(od);
      else throw new InvalidArgumentError(`Invalid request body: features.${i}: unknown feature view '${p.view}' in '${ref}'`);
    }
    const keyTypes = new Map(reg.entities.map((e) => [e.joinKey, e.valueType]));
    const rows: Record<string, unknown>[] = Array.from({ length: n }, () => ({}));
    for (const c of cols) {
      const list = req.entities[c]!;
      for (let i = 0; i < n; i++) {
        const v = list[i];
        if (c === tsCol) {
          const d = parseTimestamp(v);
          if (!d) throw new InvalidArgumentError(`Invalid request body: entities.${c}.${i}: malformed timestamp ${JSON.stringify(v)} (expected ISO-8601, e.g. 2024-03-01T10:00:00Z; naive = UTC)`);
          rows[i]![c] = d.toISOString();
        } else if (keyTypes.has(c)) {
          const r = coerceValue(keyTypes.get(c), v);
          if (!r.ok || r.value === null) throw new InvalidArgumentError(`Invalid request body: entities.${c}.${i}: expected ${keyTypes.get(c)} for join key '${c}', got ${JSON.stringify(v)}`);
          rows[i]![c] = r.value;
        } else rows[i]![c] = v;
      }
    }
    try {
      const res = await this.offline.getHistoricalFeatures({ rows }, refs, views, {
        eventTimestampColumn: tsCol,
        fullFeatureNames: req.full_feature_names ?? false,
        asOfKnownTime: req.as_of_known_time ?? true,
        entities: reg.entities,
      });
      return { columns: [...res.columns], rows: res.rows ?? [] };
    } catch (e) {
      throw toAppError(e);
    }
  }
}
