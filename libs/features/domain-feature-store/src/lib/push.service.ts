import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DUCKDB_VALUE_TYPE, DuckDBOfflineStore, OFFLINE_STORE, type FeatureView, type MaterializationResult } from '@strata/features/data-access-offline-store';
import { JobStatus, MaterializationEntity, MaterializationMode } from '@strata/features/data-access';
import { OBJECT_STORE, type ObjectStore } from '@strata/shared/data-access-object-store';
import { DatabaseService } from '@strata/shared/nest-platform';
import { InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { toAppError } from './errors';
import { FeatureRegistryService } from './feature-registry.service';
import { setLatestEventTime } from './freshness.metrics';
import { ONLINE_STORE, type OnlineStore } from './online/online-store';
import { toOnlineRows } from './online/online-rows';
import { coerceValue } from './values';

/** Most rows one `POST /push` may carry (more → 400). */
export const MAX_PUSH_ROWS = 50_000;

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Body of `POST /push` (Feast feature-server shape). */
export const pushSchema = z
  .object({
    /** Name of a `PushSource` of the feature repo. */
    push_source_name: z.string().min(1),
    /** Rows as columns: column name → one value per row (all lists the same length). */
    df: z.record(z.string().min(1), z.array(cell).min(1)),
    /** Where to write: `online` (Feast default), `offline` or `online_and_offline`. */
    to: z.enum(['online', 'offline', 'online_and_offline']).default('online'),
    /** false: read the registry fresh instead of the ≤ 1 s old cached copy (Feast semantics). */
    allow_registry_cache: z.boolean().optional(),
  })
  .strict();
/** Parsed {@link pushSchema}. */
export type PushRequest = z.infer<typeof pushSchema>;

/** Result of a push: rows accepted and, per receiving view, what was written. */
export interface PushResult {
  pushSource: string;
  rows: number;
  to: PushRequest['to'];
  featureViews: Array<{ name: string; onlineRowCount?: number; offlineUri?: string; materializationId?: string }>;
}

/**
 * `POST /push` (Feast `push`): validates pushed rows against the push source's schema (every
 * column present, no other column, each value of its dtype, timestamps ISO-8601 — naive = UTC),
 * then writes them to every feature view with `pushSource: <name>`: online (write rule: newer
 * event time wins), offline (a feature file `features/<view>/<id>.parquet`, recorded as a
 * SUCCEEDED `push` materialization so point-in-time joins read it), or both. Nothing is written
 * when any value is invalid. `created_timestamp` = the source's `createdTimestampField`, else the
 * event time (the row is then known as of its event time, as for batch views).
 */
@Injectable()
export class PushService {
  private readonly logger = new Logger(PushService.name);

  constructor(
    private readonly database: DatabaseService,
    private readonly registry: FeatureRegistryService,
    @Inject(ONLINE_STORE) private readonly online: OnlineStore,
    @Inject(OFFLINE_STORE) private readonly offline: DuckDBOfflineStore,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
  ) {}

  /**
   * @throws NotFoundError (404) unknown push source.
   * @throws InvalidArgumentError (400) missing/unknown columns, ragged lists, too many rows, a
   *   value not of its column's type (message lists up to 10 as `df.<column>.<row>`), no view reads the source.
   */
  async push(req: PushRequest): Promise<PushResult> {
    const reg = req.allow_registry_cache === false ? await this.registry.load() : await this.registry.loadCached();
    const src = reg.pushSources.find((p) => p.name === req.push_source_name);
    if (!src) throw new NotFoundError(`Push source '${req.push_source_name}' not found (known: ${reg.pushSources.map((p) => p.name).join(', ') || 'none'})`);
    const views = reg.featureViews.filter((v) => v.pushSource === src.name);
    if (views.length === 0) throw new InvalidArgumentError(`Invalid request body: push_source_name: no feature view reads push source '${src.name}'`);
    const cols = Object.keys(req.df);
    const missing = src.schema.filter((c) => !(c.name in req.df)).map((c) => c.name);
    const unknown = cols.filter((c) => !src.schema.some((x) => x.name === c));
    if (missing.length || unknown.length)
      throw new InvalidArgumentError(
        `Invalid request body: df: ${[missing.length ? `missing column(s) ${missing.map((c) => `'${c}'`).join(', ')}` : '', unknown.length ? `unknown column(s) ${unknown.map((c) => `'${c}'`).join(', ')}` : ''].filter(Boolean).join('; ')} for push source '${src.name}' (schema: ${src.schema.map((c) => `${c.name} ${c.dtype}`).join(', ')})`,
        { details: { missing, unknown } },
      );
    const lengths = new Set(cols.map((c) => req.df[c]!.length));
    if (lengths.size !== 1) throw new InvalidArgumentError(`Invalid request body: df: every column must have the same length (got ${[...lengths].join(', ')})`);
    const n = [...lengths][0]!;
    if (n > MAX_PUSH_ROWS) throw new InvalidArgumentError(`Invalid request body: df: ${n} rows pushed, at most ${MAX_PUSH_ROWS} per request`);

    const required = new Set([src.timestampField, ...views.flatMap((v) => v.entities)]);
    const issues: string[] = [];
    const rows: Record<string, unknown>[] = Array.from({ length: n }, () => ({}));
    for (const c of src.schema) {
      const list = req.df[c.name]!;
      for (let i = 0; i < n; i++) {
        const v = list[i];
        const r = coerceValue(c.dtype, v);
        if (!r.ok) issues.push(`df.${c.name}.${i}: expected ${c.dtype}${c.dtype === 'TIMESTAMP' ? ' (ISO-8601)' : ''}, got ${JSON.stringify(v)}`);
        else if (r.value === null && required.has(c.name)) issues.push(`df.${c.name}.${i}: must not be null (${c.name === src.timestampField ? 'event timestamp' : 'join key'})`);
        else rows[i]![c.name] = r.value;
      }
    }
    if (issues.length)
      throw new InvalidArgumentError(`Invalid request body: ${issues.length} invalid value(s) for push source '${src.name}': ${issues.slice(0, 10).join('; ')}${issues.length > 10 ? '; …' : ''}`, {
        details: { issues: issues.slice(0, 100) },
      });
    const featureRows = rows.map((r) => ({
      ...r,
      event_timestamp: r[src.timestampField],
      created_timestamp: src.createdTimestampField ? (r[src.createdTimestampField] ?? r[src.timestampField]) : r[src.timestampField],
    }));

    const toOnline = req.to !== 'offline';
    const toOffline = req.to !== 'online';
    const keyTypes = Object.fromEntries(reg.entities.map((e) => [e.joinKey, DUCKDB_VALUE_TYPE[e.valueType]]));
    const files: Array<{ view: FeatureView; res: MaterializationResult }> = [];
    const result: PushResult = { pushSource: src.name, rows: n, to: req.to, featureViews: views.map((v) => ({ name: v.name })) };
    const startedAt = new Date();
    try {
      if (toOffline)
        for (const v of views) {
          const id = `${startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-push-${randomUUID().slice(0, 8)}`;
          files.push({ view: v, res: await this.offline.writeFeatureRows(v, featureRows, { materializationId: id, keyTypes }) });
        }
      const onlineCounts = new Map<string, number>();
      const writeOnline = async (m?: EntityManager) => {
        for (const v of views) onlineCounts.set(v.name, await this.online.write(v.name, toOnlineRows(v, featureRows), m ? { manager: m } : {}));
      };
      if (toOnline && this.online.kind !== 'postgres') await writeOnline();
      await this.database.getDataSource().transaction(async (m) => {
        if (toOnline && this.online.kind === 'postgres') await writeOnline(m);
        for (const { view, res } of files)
          await m.getRepository(MaterializationEntity).insert({
            id: res.materializationId,
            featureView: view.name,
            datasetVersions: [],
            startTime: res.minEventTime ? new Date(res.minEventTime) : startedAt,
            endTime: res.maxEventTime ? new Date(new Date(res.maxEventTime).getTime() + 1) : startedAt,
            status: JobStatus.SUCCEEDED,
            mode: MaterializationMode.PUSH,
            rowCount: res.rowCount,
            onlineRowCount: onlineCounts.get(view.name) ?? null,
            offlineUri: res.uri,
            offlineSha256: res.sha256,
            minEventTime: res.minEventTime ? new Date(res.minEventTime) : null,
            maxEventTime: res.maxEventTime ? new Date(res.maxEventTime) : null,
            error: null,
            trigger: `push:${src.name}`,
            startedAt,
            completedAt: new Date(),
          });
      });
      for (const fv of result.featureViews) {
        const f = files.find((x) => x.view.name === fv.name);
        if (toOnline) fv.onlineRowCount = onlineCounts.get(fv.name) ?? 0;
        if (f) Object.assign(fv, { offlineUri: f.res.uri, materializationId: f.res.materializationId });
      }
      const newest = Math.max(...featureRows.map((r) => Date.parse(String(r.event_timestamp))));
      for (const v of views) setLatestEventTime(v.name, newest, true);
      this.logger.log({ pushSource: src.name, rows: n, to: req.to, featureViews: result.featureViews }, `push of ${n} row(s) to '${src.name}' (${req.to})`);
      return result;
    } catch (e) {
      for (const f of files) await this.store.delete(f.res.key).catch(() => undefined);
      throw toAppError(e);
    }
  }
}
