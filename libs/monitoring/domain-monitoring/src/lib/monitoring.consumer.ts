import { Injectable, Logger } from '@nestjs/common';
import { FeedbackReceivedV1, InferenceFailedV1, ModelRolloutChangedV1, PredictionLoggedV1 } from '@strata/contracts';
import { ConsumeEvent, type EventContext } from '@strata/messaging';
import { AggregationService } from './aggregation.service';
import { monitoringMetrics } from './monitoring.metrics';
import { MonitoringService } from './monitoring.service';

/**
 * Consumes `prediction-logged`, `feedback-received` (including the ones this service published
 * itself for `POST /feedback`), `inference-failed` and `model-rollout-changed`. Effects go
 * through `ctx.manager`, the transaction of the inbox row: the row inserts are ON CONFLICT DO
 * NOTHING (the aggregator later counts each stored row once), so a redelivered event changes
 * nothing; failures are counted in the inbox transaction, deduplicated by the inbox (event id).
 */
@Injectable()
export class MonitoringConsumer {
  private readonly logger = new Logger('MonitoringConsumer');

  constructor(
    private readonly monitoring: MonitoringService,
    private readonly aggregation: AggregationService,
  ) {}

  @ConsumeEvent(PredictionLoggedV1)
  async onPredictionLogged(event: PredictionLoggedV1, ctx: EventContext): Promise<void> {
    const inserted = await this.monitoring.recordPrediction(ctx.manager, event);
    if (inserted) {
      const labels = { model: event.modelName, version: String(event.modelVersion), alias: event.alias ?? 'none' };
      monitoringMetrics.predictionsLogged.inc(labels);
      monitoringMetrics.predictionLatency.observe(labels, event.latencyMs / 1000);
    }
    this.logger.debug({ predictionId: event.predictionId, model: event.modelName, version: event.modelVersion, ceId: ctx.eventId, inserted }, 'prediction stored');
  }

  @ConsumeEvent(FeedbackReceivedV1)
  async onFeedbackReceived(event: FeedbackReceivedV1, ctx: EventContext): Promise<void> {
    const inserted = await this.monitoring.recordFeedback(ctx.manager, event);
    this.logger.debug({ predictionId: event.predictionId, model: event.modelName, ceId: ctx.eventId, inserted }, 'feedback stored');
  }

  @ConsumeEvent(InferenceFailedV1)
  async onInferenceFailed(event: InferenceFailedV1, ctx: EventContext): Promise<void> {
    await this.aggregation.onFailure(ctx.manager, event);
    monitoringMetrics.inferenceFailures.inc({ model: event.modelName, version: String(event.modelVersion), alias: event.alias ?? 'none' }, event.rowCount);
    this.logger.debug({ model: event.modelName, version: event.modelVersion, errorCode: event.errorCode, ceId: ctx.eventId }, 'inference failure counted');
  }

  @ConsumeEvent(ModelRolloutChangedV1)
  async onRolloutChanged(event: ModelRolloutChangedV1, ctx: EventContext): Promise<void> {
    await this.aggregation.onRolloutChanged(ctx.manager, event);
    this.logger.log({ model: event.modelName, rolloutId: event.rolloutId, action: event.action, route: event.route }, 'rollout changed');
  }
}
