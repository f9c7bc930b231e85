import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { SegmentConfigView } from '@strata/contracts/api';
import { SegmentConfigSchema, type SegmentConfig } from './segments';


/**
 * The segment / fairness part of each model's monitoring config (table `segment_config`).
 * The aggregator reads it once per model and batch: a config applies to predictions and labels
 * aggregated after it was stored (earlier windows keep the segments they were counted with; a
 * label of a prediction counted before the config only adds label counters, so such a window's
 * `labelCoverage` can exceed what its segment `pred` counters explain — documented in the README).
 */
@Injectable()
export class SegmentConfigService {
  constructor(private readonly dataSource: DataSource) {}

  private t(): string {
    const schema = (this.dataSource.driver as { schema?: string }).schema ?? (this.dataSource.options as { schema?: string }).schema;
    return schema ? `"${schema}"."segment_config"` : `"segment_config"`;
  }

  /**
   * The model's config with its name, who stored it and when (ISO-8601 UTC) — the answer of
   * `GET /models/{m}/segments/config`, the API contract's `SegmentConfigView` — or null (no
   * segments). Stored JSON is re-validated (defaults applied).
   */
  async get(model: string, manager: EntityManager = this.dataSource.manager): Promise<SegmentConfigView | null> {
    const rows = (await manager.query(`SELECT config, updated_by, updated_at FROM ${this.t()} WHERE model_name = $1`, [model])) as Array<{ config: unknown; updated_by: string; updated_at: Date }>;
    const r = rows[0];
    if (!r) return null;
    return { modelName: model, ...SegmentConfigSchema.parse(r.config), updatedBy: r.updated_by, updatedAt: r.updated_at.toISOString() };
  }

  /** Creates or replaces the model's config; the answer of `PUT /models/{m}/segments/config` (contract `SegmentConfigView`). */
  async put(model: string, config: SegmentConfig, actor: string): Promise<SegmentConfigView> {
    const now = new Date();
    await this.dataSource.query(
      `INSERT INTO ${this.t()} (model_name, config, updated_by, updated_at) VALUES ($1, $2::jsonb, $3, $4)
       ON CONFLICT (model_name) DO UPDATE SET config = EXCLUDED.config, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
      [model, JSON.stringify(config), actor, now],
    );
    return { modelName: model, ...config, updatedBy: actor, updatedAt: now.toISOString() };
  }

  /** Configs of the given models (one query), for an aggregation batch. */
  async many(models: string[], manager: EntityManager): Promise<Map<string, SegmentConfig>> {
    const out = new Map<string, SegmentConfig>();
    if (models.length === 0) return out;
    const rows = (await manager.query(`SELECT model_name, config FROM ${this.t()} WHERE model_name = ANY($1::varchar[])`, [models])) as Array<{ model_name: string; config: unknown }>;
    for (const r of rows) {
      const parsed = SegmentConfigSchema.safeParse(r.config);
      if (parsed.success) out.set(r.model_name, parsed.data);
    }
    return out;
  }

  /** Every model with a config (background evaluation). */
  async models(): Promise<string[]> {
    const rows = (await this.dataSource.query(`SELECT model_name FROM ${this.t()} ORDER BY model_name`)) as Array<{ model_name: string }>;
    return rows.map((r) => r.model_name);
  }
}
