import { Injectable, Logger } from '@nestjs/common';
import { FeedbackReceivedV1, PredictionLoggedV1 } from '@strata/contracts';
import { ConsumeEvent, type EventContext } from '@strata/messaging';
import { MonitoringService } from './monitoring.service';

/**
 * Consumes `prediction-logged` and `feedback-received` (including the ones this service
 * published itself for `POST /feedback`). Effects go through `ctx.manager`, the transaction of
 * the inbox row, and inserts are ON CONFLICT DO NOTHING: a redelivered event changes nothing.
 */
@Injectable()
export class MonitoringConsumer {
  private readonly logger = new Logger('MonitoringConsumer');

  constructor(private readonly monitoring: MonitoringService) {}

  @ConsumeEvent(PredictionLoggedV1)
  async onPredictionLogged(event: PredictionLoggedV1, ctx: EventContext): Promise<void> {
    const inserted = await this.monitoring.recordPrediction(ctx.manager, event);
    this.logger.debug({ predictionId: event.predictionId, model: event.modelName, version: event.modelVersion, ceId: ctx.eventId, inserted }, 'prediction stored');
  }

  @ConsumeEvent(FeedbackReceivedV1)
  async onFeedbackReceived(event: FeedbackReceivedV1, ctx: EventContext): Promise<void> {
    const inserted = await this.monitoring.recordFeedback(ctx.manager, event);
    this.logger.debug({ predictionId: event.predictionId, model: event.modelName, ceId: ctx.eventId, inserted }, 'feedback stored');
  }
}
