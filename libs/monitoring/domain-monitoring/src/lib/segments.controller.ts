import { Body, Controller, Get, Headers, Param, Put, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '@strata/shared/auth';
import { MonitoringApi, type SegmentConfigView } from '@strata/contracts/api';
import { int32, parseWith, securityContextOf, ZodApiBody, ZodApiResponse } from '@strata/shared/nest-platform';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SegmentConfigService } from './segment-config.service';
import { SegmentConfigSchema } from './segments';
import { SegmentsService, type FairnessWindow, type SegmentWindow } from './segments.service';
import { WINDOW_KINDS } from './windows';

const MODEL = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a model name (1-128 letters, digits, ".", "_", "-")');
const SegmentsQuery = z.object({
  window: z.enum([...WINDOW_KINDS, 'count']).default('month'),
  version: int32({ coerce: true }).min(1).optional(),
  /** Count windows: predictions per window (a multiple of the count block size). */
  size: z.coerce.number().int().min(1).max(100_000_000).optional(),
});

/**
 * Segment and fairness monitoring API (issue #17). Reads need `monitoring:read`, the config write
 * `monitoring:write` (declared here, the same permissions as the other monitoring routes).
 */
@ApiTags('monitoring')
@Controller('models/:model')
export class SegmentsController {
  constructor(
    private readonly segments: SegmentsService,
    private readonly configs: SegmentConfigService,
  ) {}

  /**
   * `PUT /models/{m}/segments/config` body `{ segments: [{ name, field?, buckets? }] (1..8), topN?: 10,
   * minCount?: 30, thresholds?: { <disparity metric>: number }, gate?: { segment, metric,
   * maxWidening } | null }` → 200 the stored config `{ modelName, ..., updatedBy, updatedAt }`.
   * Applies to predictions and labels aggregated from now on. 400 names the bad field
   * (`segments.0.buckets`), including a gate on an unknown segment.
   */
  @Put('segments/config')
  @RequirePermission('monitoring', 'write')
  @ZodApiBody(SegmentConfigSchema, 'Segment columns, top N, minimum count, disparity thresholds and the live promotion gate')
  @ApiOperation({ summary: "Set a model's segment / fairness monitoring config" })
  @ZodApiResponse(MonitoringApi.putSegmentConfig.response)
  async putConfig(@Param('model') model: string, @Body() body: unknown, @Headers('x-strata-actor') actor: string | undefined, @Req() req: FastifyRequest): Promise<SegmentConfigView> {
    const name = parseWith(MODEL, model, 'model');
    const config = parseWith(
      SegmentConfigSchema.refine((c) => !c.gate || c.segments.some((s) => s.name === c.gate!.segment), { message: 'gate.segment must be one of the configured segments', path: ['gate', 'segment'] }),
      body,
    );
    return this.configs.put(name, config, securityContextOf(req)?.principal.id ?? actor ?? 'anonymous');
  }

  /** `GET /models/{m}/segments/config` → the stored config; 404 when the model has none. */
  @Get('segments/config')
  @RequirePermission('monitoring', 'read')
  @ApiOperation({ summary: "A model's segment / fairness monitoring config" })
  @ZodApiResponse(MonitoringApi.getSegmentConfig.response)
  async getConfig(@Param('model') model: string): Promise<SegmentConfigView> {
    await this.segments.config(parseWith(MODEL, model, 'model'));
    return (await this.configs.get(model)) as SegmentConfigView;
  }

  /**
   * `GET /models/{m}/segments?window=month|week|day|count[&version=][&size=]` → per UTC window (or
   * count window of `size` predictions: `windowStart`/`windowEnd` null, `sequenceStart`/`sequenceEnd`) and version
   * `[{ windowKind, windowStart, windowEnd, modelVersion, predictionCount, labeledCount,
   * segments: [{ segment, values: [{ group, predictionCount, predictedPositiveCount,
   * selectionRate, labelCoverage, labeledCount, tp, fp, tn, fn, truePositiveRate,
   * falsePositiveRate, positivePredictiveValue, performance: { rocAuc, rocAucMaxError, accuracy,
   * precision, recall, f1, logLoss, brierScore, positives, calibration } }] }] }]` — top N values
   * by predictions plus `__other__`, `__missing__` for absent fields; rates at threshold 0.5.
   * 404 without a segment config; 400 names the bad query parameter.
   */
  @Get('segments')
  @RequirePermission('monitoring', 'read')
  @ApiQuery({ name: 'window', enum: [...WINDOW_KINDS, 'count'], required: false })
  @ApiQuery({ name: 'version', required: false, type: Number })
  @ApiQuery({ name: 'size', required: false, type: Number, description: 'count windows: predictions per window' })
  @ApiOperation({ summary: 'Per-segment performance of a model per window' })
  @ZodApiResponse(MonitoringApi.segments.response)
  list(@Param('model') model: string, @Query() query: Record<string, unknown>): Promise<SegmentWindow[]> {
    const q = parseWith(SegmentsQuery, query, 'query');
    return this.segments.segments(parseWith(MODEL, model, 'model'), q.window, q.version, q.size);
  }

  /**
   * `GET /models/{m}/fairness?window=month|week|day|count[&version=][&size=]` → per UTC window (or
   * count window, as /segments) and version
   * `[{ ..., minCount, segments: [{ segment, groups: [{ group, predictionCount, selectionRate,
   * truePositiveRate, falsePositiveRate, positivePredictiveValue, tp, fp, tn, fn, ... }],
   * disparities: [{ metric, value, status, max: {group, rate}, min, eligibleGroups,
   * excludedGroups: [{group, count}], threshold, breached }] }] }]`. Metrics:
   * demographic_parity_difference / _ratio (disparate impact), equal_opportunity_difference,
   * equalized_odds_difference, predictive_parity_difference (definitions and sources in
   * fairness.ts); a group enters a metric only with ≥ minCount observations in its denominator.
   * 404 without a segment config.
   */
  @Get('fairness')
  @RequirePermission('monitoring', 'read')
  @ApiQuery({ name: 'window', enum: [...WINDOW_KINDS, 'count'], required: false })
  @ApiQuery({ name: 'version', required: false, type: Number })
  @ApiQuery({ name: 'size', required: false, type: Number, description: 'count windows: predictions per window' })
  @ApiOperation({ summary: 'Disparity metrics between segment values of a model per window' })
  @ZodApiResponse(MonitoringApi.fairness.response)
  fairness(@Param('model') model: string, @Query() query: Record<string, unknown>): Promise<FairnessWindow[]> {
    const q = parseWith(SegmentsQuery, query, 'query');
    return this.segments.fairness(parseWith(MODEL, model, 'model'), q.window, q.version, q.size);
  }
}
