import type { Kafka } from 'kafkajs';
import { checkKafka } from '../core/kafka';

/**
 * Readiness probe for the platform's `/health/ready`: `checkKafka()` resolves when the broker
 * answers a metadata request within `timeoutMs` (default 3000 ms).
 */
export class MessagingHealth {
  constructor(
    private readonly kafka: Kafka,
    private readonly timeoutMs = 3000,
  ) {}

  /**
   * @throws KafkaUnavailableError when Kafka does not answer in time.
   */
  checkKafka(): Promise<void> {
    return checkKafka(this.kafka, this.timeoutMs);
  }
}
