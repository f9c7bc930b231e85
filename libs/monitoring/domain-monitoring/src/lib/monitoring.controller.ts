import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { parseWith, ZodApiBody, ZodApiResponse, int32 } from '@strata/shared/nest-platform';
import { z } from 'zod';
import { FeedbackBody, FeedbackItem, FeedbackList, MonitoringApi } from '@strata/contracts/api';
import { MonitoringService, NO_ALIAS, type HealthRow, type WindowResponse } from './monitoring.service';
import { RolloutGuardService, type RolloutComparison } from './rollout-guard.service';
import { WINDOW_KINDS } from './windows';
import { RequirePermission } from '@strata/shared/auth';

// The feedback body is an API contract (validated here, typed in the client).
export { FeedbackBody, FeedbackItem, FeedbackList } from '@strata/contracts/api';

const WindowsQuery = z.object({
  window: z.enum([...WINDOW_KINDS, 'count']).default('month'),
  version: int32({ coerce: true }).min(1).optional(),
  alias: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/, `must be an alias name or '${NO_ALIAS}'`).optional(),
  size: z.coerce.number().int().min(1).max(100_000_000).optional(),
});

const HealthQuery = z.object({
  window: z.enum(WINDOW_KINDS).default('day'),
  version: int32({ coerce: true }).min(1).optional(),
});

/** Monitoring HTTP API: feedback intake and windowed drift/performance reports. */
@ApiTags('monitoring')
@Controller()
export class MonitoringController {
  constructor(
    private readonly monitoring: MonitoringService,
    private readonly guard: RolloutGuardService,
  ) {}

  /**
   * `POST /feedback` body `{ predictionId, modelName, label: 0|1, observedAt, source? }` or a
   * list → 202 `{ accepted }`. Stored and announced as `strata.monitoring.feedback-received.v1`
   * in one transaction; 400 naming each bad field (e.g. `1.label: label must be 0 or 1`).
   */
  @Post('feedback')
  @HttpCode(202)
  @ZodApiBody(FeedbackBody, 'One feedback label or a list')
  @ZodApiResponse(MonitoringApi.sendFeedback.response, 202)
  @ApiOperation({ summary: 'Submit ground-truth labels of earlier predictions' })
  @RequirePermission('monitoring', 'write')
  feedback(@Body() body: unknown): Promise<{ accepted: number }> {
    // parsed by shape so errors name the item and field (`1.label`), not the union
    const items = Array.isArray(body) ? parseWith(FeedbackList, body) : [parseWith(FeedbackItem, body)];
    return this.monitoring.submitFeedback(items);
  }

  /**
   * `GET /models/{m}/windows?window=month|week|day|count[&version=][&alias=][&size=]` → per
   * window and model version, from the incremental counters: `[{ windowKind, windowStart,
   * windowEnd (UTC, null for count windows), sequenceStart, sequenceEnd (count windows), modelVersion,
   * alias, predictionCount, labeledCount, unlabeledCount, unprofiledCount, errorCount, errorRate,
   * latencySeconds: {p50, p95, p99, relativeAccuracy}, drift: [{ feature, method, score,
   * threshold, drifted, currentCount, nullShare, status, tests: {psi, ks, wasserstein,
   * chisquare, jensenshannon} }], testedCount, driftedCount, driftShare, datasetDrift,
   * performance: { rocAuc, rocAucMaxError, accuracy, precision, recall, f1, logLoss, brierScore,
   * positives, calibration }, referenceProfileSha256 }]`, sorted by window then version; `[]`
   * without data. `alias` restricts to requests routed through that alias (`_none`: addressed by
   * version); `size` (count windows) must be a multiple of the block size. 400 names the bad
   * query parameter. Time windows over all aliases are persisted; closed ones crossing
   * thresholds publish their alert once.
   */
  @Get('models/:model/windows')
  @ApiQuery({ name: 'window', enum: [...WINDOW_KINDS, 'count'], required: false })
  @ApiQuery({ name: 'version', required: false, type: Number })
  @ApiQuery({ name: 'alias', required: false, type: String })
  @ApiQuery({ name: 'size', required: false, type: Number, description: 'count windows: predictions per window' })
  @ApiOperation({ summary: 'Windowed drift, performance, latency and error rate of a model' })
  @ZodApiResponse(MonitoringApi.windows.response)
  @RequirePermission('monitoring', 'read')
  windows(@Param('model') model: string, @Query() query: Record<string, unknown>): Promise<WindowResponse[]> {
    const q = parseWith(WindowsQuery, query, 'query');
    return this.monitoring.windows(model, q.window, { version: q.version, alias: q.alias, size: q.size });
  }

  /**
   * `GET /models/{m}/health?window=day|week|month[&version=]` → per UTC window, version and
   * alias (`none` = addressed by version): `[{ windowStart, windowEnd, modelVersion, alias,
   * requestCount, predictionCount, errorCount, errorRate, latencySeconds: {p50, p95, p99,
   * relativeAccuracy} }]` (latency of successful predictions in seconds, DDSketch ±1%;
   * errorRate = failures / requests, failures from inference-failed by failedAt).
   */
  @Get('models/:model/health')
  @ApiQuery({ name: 'window', enum: WINDOW_KINDS, required: false })
  @ApiQuery({ name: 'version', required: false, type: Number })
  @ApiOperation({ summary: 'Latency percentiles and error rate per version and alias' })
  @RequirePermission('monitoring', 'read')
  health(@Param('model') model: string, @Query() query: Record<string, unknown>): Promise<HealthRow[]> {
    const q = parseWith(HealthQuery, query, 'query');
    return this.monitoring.health(model, q.window, q.version);
  }

  /**
   * `GET /models/{m}/rollouts/current/comparison` → champion vs challenger on live traffic since
   * the active rollout started: `{ modelName, rolloutId, mode, status, startedAt,
   * challengerWeight, metric: {name, higherIsBetter}, champion, challenger (each: { role,
   * version, requestCount, predictionCount, errorCount, errorRate, latencySeconds, labeledCount,
   * unlabeledCount, metricValue, byAlias }), disparityGate (segment config gate, or null), guard: { enabled, thresholds, breaches,
   * rollbackRequestedAt, rollbackReason } }`; 404 when the model has no active rollout.
   */
  @Get('models/:model/rollouts/current/comparison')
  @ApiOperation({ summary: 'Champion vs challenger of the active rollout on live traffic and labels' })
  @RequirePermission('monitoring', 'read')
  comparison(@Param('model') model: string): Promise<RolloutComparison> {
    return this.guard.comparison(model);
  }
}
