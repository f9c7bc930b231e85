import { Injectable, Logger } from '@nestjs/common';
import { DriftDetectedV1, PerformanceDegradedV1 } from '@strata/contracts';
import { ConsumeEvent, type EventContext } from '@strata/messaging';
import { RetrainingService } from './retraining.service';

/**
 * Consumes `strata.monitoring.drift-detected.v1` and `strata.monitoring.performance-degraded.v1`
 * and asks {@link RetrainingService.trigger} (in the inbox transaction) to retrain the model;
 * the trigger row records the event's `detectionId` and a reason with the numbers.
 */
@Injectable()
export class RetrainingConsumer {
  private readonly logger = new Logger('RetrainingConsumer');

  constructor(private readonly retraining: RetrainingService) {}

  @ConsumeEvent(DriftDetectedV1)
  async onDriftDetected(event: DriftDetectedV1, ctx: EventContext): Promise<void> {
    const drifted = event.features.filter((f) => f.drifted);
    const reason = `drift on ${event.modelName} v${event.modelVersion}: ${drifted.length}/${event.features.length} features drifted (share ${event.driftShare}${event.datasetDrift ? ', dataset drift' : ''}) [${drifted.map((f) => `${f.feature} ${f.method}=${f.score.toFixed(4)}>${f.threshold}`).join(', ')}] over ${event.windowStart}..${event.windowEnd}`;
    const out = await this.retraining.trigger({ modelName: event.modelName, source: 'drift', triggerEventId: event.detectionId, reason, detectedAt: event.detectedAt }, ctx.manager);
    this.logger.log({ modelName: event.modelName, detectionId: event.detectionId, ceId: ctx.eventId, ...out }, 'drift-detected handled');
  }

  @ConsumeEvent(PerformanceDegradedV1)
  async onPerformanceDegraded(event: PerformanceDegradedV1, ctx: EventContext): Promise<void> {
    const reason = `performance of ${event.modelName} v${event.modelVersion}: ${event.metric} ${event.value} vs baseline ${event.baseline} (threshold ${event.threshold}, ${event.direction}, n=${event.sampleSize}) over ${event.windowStart}..${event.windowEnd}`;
    const out = await this.retraining.trigger({ modelName: event.modelName, source: 'performance', triggerEventId: event.detectionId, reason, detectedAt: event.detectedAt }, ctx.manager);
    this.logger.log({ modelName: event.modelName, detectionId: event.detectionId, ceId: ctx.eventId, ...out }, 'performance-degraded handled');
  }
}
