import { Kafka, logLevel } from 'kafkajs';
import type { ReadinessCheck } from './readiness-check';

/**
 * Kafka readiness: a metadata round-trip (describeCluster) through a short-lived admin client,
 * bounded by the caller's timeout. Used by services that have no Kafka consumer of their own
 * yet; services with a MessagingModule use its check instead.
 */
export class KafkaReadinessCheck implements ReadinessCheck {
  readonly name = 'kafka';
  private readonly kafka: Kafka;

  constructor(brokers: string[], clientId: string) {
    this.kafka = new Kafka({ clientId: `${clientId}-health`, brokers, logLevel: logLevel.NOTHING, connectionTimeout: 2000, retry: { retries: 0 } });
  }

  async check(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
