import type { Kafka } from 'kafkajs';
import type { ConsumerGroupStatus, EventConsumerRunner } from '../core/consumer';
import { checkKafka } from '../core/kafka';

/**
 * One readiness check of a consumer group, in the shape of the platform's `ReadinessCheck`
 * (`@strata/shared/nest-platform`): `check()` resolves while the group is `running` and rejects
 * naming the group, its state and its last error otherwise; `details()` is the group's status.
 */
export interface ConsumerGroupReadinessCheck {
  /** `consumer-group:<groupId>`. */
  readonly name: string;
  check(): Promise<void>;
  details(): Record<string, unknown>;
}

/** Why a group that is not `running` is not ready, e.g. `consumer group 'serving' is restarting since … (2 restarts; last error: …)`. */
export function consumerGroupNotReadyReason(g: ConsumerGroupStatus): string {
  const last = g.lastError !== undefined ? `; last error: ${g.lastError}` : '';
  switch (g.state) {
    case 'restarting':
      return `consumer group '${g.groupId}' is restarting since ${g.since} (${g.restarts} restart(s) so far${g.nextRestartAt ? `, next attempt at ${g.nextRestartAt}` : ''}${last})`;
    case 'starting':
      return `consumer group '${g.groupId}' has not joined yet (starting since ${g.since}${last})`;
    default:
      return `consumer group '${g.groupId}' is ${g.state}`;
  }
}

/**
 * Readiness probe for the platform's `/health/ready`:
 * - `checkKafka()` resolves when the broker answers a metadata request within `timeoutMs`
 *   (default 3000 ms);
 * - {@link consumerGroupChecks} gives one check per consumer group of the service: ready only
 *   while the group is `running` (joined), so a group that crashed is reported — 503 naming it —
 *   from the crash until it has joined again.
 */
export class MessagingHealth {
  constructor(
    private readonly kafka: Kafka,
    private readonly timeoutMs = 3000,
    private readonly runner?: EventConsumerRunner,
    /** False when the service runs no consumers (`consumer.enabled: false`): no group checks. */
    private readonly consumersEnabled = true,
  ) {}

  /**
   * @throws KafkaUnavailableError when Kafka does not answer in time.
   */
  checkKafka(): Promise<void> {
    return checkKafka(this.kafka, this.timeoutMs);
  }

  /** Status of every consumer group of the service (empty when it runs no consumers). No I/O. */
  consumerGroups(): ConsumerGroupStatus[] {
    return this.consumersEnabled && this.runner ? this.runner.groupStatuses() : [];
  }

  /** One readiness check per consumer group (see {@link ConsumerGroupReadinessCheck}). */
  consumerGroupChecks(): ConsumerGroupReadinessCheck[] {
    return this.consumerGroups().map((g) => ({
      name: `consumer-group:${g.groupId}`,
      check: () => (g.state === 'running' ? Promise.resolve() : Promise.reject(new Error(consumerGroupNotReadyReason(g)))),
      details: () => ({ ...g }),
    }));
  }
}
