import { Inject, Injectable, Logger } from '@nestjs/common';
import { DatabaseService } from '@strata/shared/nest-platform';
import { InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import { z } from 'zod';
import { toAppError } from '../errors';
import { FeatureRegistryService } from '../feature-registry.service';
import { setLatestEventTime } from '../freshness.metrics';
import { ONLINE_STORE, type OnlineStore } from '../online/online-store';
import { toOnlineRows } from '../online/online-rows';
import { MAX_PUSH_ROWS } from '../push.service';
import { coerceValue } from '../values';

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * Body of `POST /write-to-online-store`: Feast feature server's `WriteToFeatureStoreRequest`
 * (feast/feature_server.py), as Feast's `remote` online store sends it from `online_write_batch`
 * (feast/infra/online_stores/remote.py): the view's join keys and features as columns, plus
 * `event_timestamp` and `created` (naive ISO-8601 = UTC; `created` may be null).
 */
export const writeToOnlineStoreSchema = z
  .object({
    feature_view_name: z.string().min(1),
    /** Rows as columns: column name → one value per row (all lists the same length). */
    df: z.record(z.string().min(1), z.array(cell).min(1)),
    /** false: read the registry fresh instead of the ≤ 1 s old cached copy (Feast semantics). */
    allow_registry_cache: z.boolean().optional(),
    /** Feast: run the view's on-write transformation first. Strata's batch views have none: accepted and ignored. */
    transform_on_write: z.boolean().optional(),
  })
  .strict();
/** Parsed {@link writeToOnlineStoreSchema}. */
export type WriteToOnlineStoreRequest = z.infer<typeof writeToOnlineStoreSchema>;

/** Event-time column Feast's remote online store sends. */
const EVENT_TS = 'event_timestamp';
/** Created-time column Feast's remote online store sends. */
const CREATED_TS = 'created';

/**
 * Feast `write_to_online_store` for one feature view (what `FeatureStore.push(..., to=ONLINE)`
 * and `write_to_online_store` do through a `remote` online store): validates every value
 * against the view (join keys by their entity's value type, features by their dtype,
 * timestamps ISO-8601 or epoch ms) and writes the rows to the online store with the same rule
 * as materialization and `/push` (a newer event time wins). Nothing is written when any value
 * is invalid. Columns the view does not have are refused (Feast would drop them silently;
 * a typo must not pass unseen).
 */
@Injectable()
export class WriteToOnlineStoreService {
  private readonly logger = new Logger(WriteToOnlineStoreService.name);

  constructor(
    private readonly database: DatabaseService,
    private readonly registry: FeatureRegistryService,
    @Inject(ONLINE_STORE) private readonly online: OnlineStore,
  ) {}

  /**
   * @returns rows written to the online store
   * @throws NotFoundError (404) unknown feature view.
   * @throws InvalidArgumentError (400) missing/unknown columns, ragged lists, too many rows, a value not of its type (`df.<column>.<row>`).
   */
  async write(req: WriteToOnlineStoreRequest): Promise<{ featureView: string; rows: number }> {
    const reg = req.allow_registry_cache === false ? await this.registry.load() : await this.registry.loadCached();
    const view = reg.featureViews.find((v) => v.name === req.feature_view_name);
    if (!view) throw new NotFoundError(`Feature view ${req.feature_view_name} does not exist (known: ${reg.featureViews.map((v) => v.name).join(', ') || 'none'})`);
    const keyType = new Map(reg.entities.map((e) => [e.joinKey, e.valueType]));
    const columns = new Map<string, { type: string | undefined; required: boolean }>([
      ...view.entities.map((k) => [k, { type: keyType.get(k), required: true }] as const),
      ...view.features.map((f) => [f.name, { type: f.dtype as string, required: false }] as const),
      [EVENT_TS, { type: 'TIMESTAMP', required: true }],
      [CREATED_TS, { type: 'TIMESTAMP', required: false }],
    ]);
    const given = Object.keys(req.df);
    const missing = [...columns].filter(([c, s]) => s.required && !(c in req.df)).map(([c]) => c);
    const unknown = given.filter((c) => !columns.has(c));
    if (missing.length || unknown.length)
      throw new InvalidArgumentError(
        `Invalid request body: df: ${[missing.length ? `missing column(s) ${missing.map((c) => `'${c}'`).join(', ')}` : '', unknown.length ? `unknown column(s) ${unknown.map((c) => `'${c}'`).join(', ')}` : ''].filter(Boolean).join('; ')} for feature view '${view.name}' (columns: ${[...columns.keys()].join(', ')})`,
        { details: { missing, unknown } },
      );
    const lengths = new Set(given.map((c) => req.df[c]!.length));
    if (lengths.size !== 1) throw new InvalidArgumentError(`Invalid request body: df: every column must have the same length (got ${[...lengths].join(', ')})`);
    const n = [...lengths][0]!;
    if (n > MAX_PUSH_ROWS) throw new InvalidArgumentError(`Invalid request body: df: ${n} rows, at most ${MAX_PUSH_ROWS} per request`);

    const issues: string[] = [];
    const rows: Record<string, unknown>[] = Array.from({ length: n }, () => ({}));
    for (const c of given) {
      const spec = columns.get(c)!;
      const list = req.df[c]!;
      for (let i = 0; i < n; i++) {
        const r = coerceValue(spec.type as Parameters<typeof coerceValue>[0], list[i]);
        if (!r.ok) issues.push(`df.${c}.${i}: expected ${spec.type}${spec.type === 'TIMESTAMP' ? ' (ISO-8601)' : ''}, got ${JSON.stringify(list[i])}`);
        else if (r.value === null && spec.required) issues.push(`df.${c}.${i}: must not be null (${c === EVENT_TS ? 'event timestamp' : 'join key'})`);
        else rows[i]![c] = r.value;
      }
    }
    if (issues.length)
      throw new InvalidArgumentError(`Invalid request body: ${issues.length} invalid value(s) for feature view '${view.name}': ${issues.slice(0, 10).join('; ')}${issues.length > 10 ? '; …' : ''}`, {
        details: { issues: issues.slice(0, 100) },
      });
    const featureRows: Array<Record<string, unknown>> = rows.map((r) => ({ ...r, created_timestamp: r[CREATED_TS] ?? r[EVENT_TS] }));
    try {
      const written =
        this.online.kind === 'postgres'
          ? await this.database.getDataSource().transaction((m) => this.online.write(view.name, toOnlineRows(view, featureRows), { manager: m }))
          : await this.online.write(view.name, toOnlineRows(view, featureRows));
      setLatestEventTime(view.name, Math.max(...featureRows.map((r) => Date.parse(String(r[EVENT_TS])))), true);
      this.logger.log({ featureView: view.name, rows: n, written }, `write-to-online-store: ${n} row(s) to '${view.name}'`);
      return { featureView: view.name, rows: written };
    } catch (e) {
      throw toAppError(e);
    }
  }
}
