import { randomUUID } from 'node:crypto';
import { buildEnvelopeHeaders, DatasetVersionCreatedV1 } from '@strata/contracts';
import { Kafka, logLevel } from 'kafkajs';

/**
 * Publishes `DatasetVersionCreatedV1` events on their topic, in order, as the ingestion service
 * would announce new dataset versions: each event is validated with the contract's schema
 * (throws the zod error on an invalid event), keyed and subjected by its `datasetName`, with fresh
 * CloudEvents envelope headers whose `source` is `source` (e.g. `/strata/features-it`).
 * `brokers` are `host:port` Kafka bootstrap addresses (`infraEnv().kafkaBrokers`). Resolves once
 * every event is acknowledged by Kafka; the producer is disconnected in every case.
 */
export async function announceDatasetVersions(brokers: string[], source: string, events: DatasetVersionCreatedV1[]): Promise<void> {
  const producer = new Kafka({ brokers, clientId: `announce-${events[0]?.datasetName ?? 'none'}`, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    for (const event of events) {
      const value = JSON.stringify(DatasetVersionCreatedV1.schema.parse(event));
      const headers = buildEnvelopeHeaders({ id: randomUUID(), source, type: DatasetVersionCreatedV1.type, subject: event.datasetName });
      await producer.send({ topic: DatasetVersionCreatedV1.topic, messages: [{ key: event.datasetName, value, headers }] });
    }
  } finally {
    await producer.disconnect();
  }
}
