import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { parseWith, ZodApiBody } from '@strata/shared/nest-platform';
import { z } from 'zod';
import { MonitoringService, type WindowResponse } from './monitoring.service';
import { WINDOW_KINDS } from './windows';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** One feedback item of `POST /feedback`. */
export const FeedbackItem = z.object({
  predictionId: z.string().min(1).max(256),
  modelName: z.string().regex(NAME, 'must be a model name (1-128 letters, digits, ".", "_", "-")'),
  label: z.union([z.literal(0), z.literal(1)], { message: 'label must be 0 or 1' }),
  observedAt: z.iso.datetime({ message: 'must be an ISO-8601 UTC timestamp (Z suffix)' }),
  source: z.string().min(1).max(64).optional(),
});
/** A list body of `POST /feedback` (1..10 000 items). */
export const FeedbackList = z.array(FeedbackItem).min(1).max(10_000);
/** Body of `POST /feedback`: one item or a list (1..10 000). */
export const FeedbackBody = z.union([FeedbackItem, FeedbackList]);

const WindowsQuery = z.object({
  window: z.enum(WINDOW_KINDS).default('month'),
  version: z.coerce.number().int().min(1).optional(),
});

/** Monitoring HTTP API: feedback intake and windowed drift/performance reports. */
@ApiTags('monitoring')
@Controller()
export class MonitoringController {
  constructor(private readonly monitoring: MonitoringService) {}

  /**
   * `POST /feedback` body `{ predictionId, modelName, label: 0|1, observedAt, source? }` or a
   * list → 202 `{ accepted }`. Stored and announced as `strata.monitoring.feedback-received.v1`
   * in one transaction; 400 naming each bad field (e.g. `1.label: label must be 0 or 1`).
   */
  @Post('feedback')
  @HttpCode(202)
  @ZodApiBody(FeedbackBody, 'One feedback label or a list')
  @ApiOperation({ summary: 'Submit ground-truth labels of earlier predictions' })
  feedback(@Body() body: unknown): Promise<{ accepted: number }> {
    // parsed by shape so errors name the item and field (`1.label`), not the union
    const items = Array.isArray(body) ? parseWith(FeedbackList, body) : [parseWith(FeedbackItem, body)];
    return this.monitoring.submitFeedback(items);
  }

  /**
   * `GET /models/{m}/windows?window=month|week|day[&version=]` → per UTC calendar window (by
   * prediction eventTime) and model version: `[{ windowStart, windowEnd, modelVersion,
   * predictionCount, labeledCount, drift: [{ feature, method: 'psi', score, threshold, drifted }],
   * driftShare, datasetDrift, performance: { rocAuc, accuracy, logLoss }, referenceProfileSha256 }]`,
   * sorted by windowStart then version; `[]` when the model has no predictions. Reports are
   * persisted; closed windows crossing thresholds publish their alert once.
   */
  @Get('models/:model/windows')
  @ApiQuery({ name: 'window', enum: WINDOW_KINDS, required: false })
  @ApiQuery({ name: 'version', required: false, type: Number })
  @ApiOperation({ summary: 'Windowed drift (PSI vs the reference profile) and performance of a model' })
  windows(@Param('model') model: string, @Query() query: Record<string, unknown>): Promise<WindowResponse[]> {
    const q = parseWith(WindowsQuery, query, 'query');
    return this.monitoring.windows(model, q.window, q.version);
  }
}
