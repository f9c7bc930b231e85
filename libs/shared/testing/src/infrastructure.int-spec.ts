/**
 * One real round-trip per infrastructure part (issue #2): a message produced and consumed
 * through the Kafka broker, and a workflow executed by a worker on the Temporal server.
 * (PostgreSQL rows written and read after migrations: libs/shared/nest-platform.)
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Kafka, logLevel } from 'kafkajs';
import { eventually } from './lib/eventually';
import { infraEnv, uniqueName } from './lib/infra-env';

jest.setTimeout(120_000);

describe('real infrastructure', () => {
  const env = infraEnv();

  it('Kafka: a record produced with headers and binary value is consumed unchanged by a new group', async () => {
    const kafka = new Kafka({ clientId: 'infra-test', brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING });
    const topic = uniqueName('strata.test.roundtrip');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const value = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80]);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k1', value, headers: { ce_id: 'evt-1' } }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('infra-test'), sessionTimeout: 10_000 });
    const received: Array<{ key: string; value: Buffer; ceId: string }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({ key: String(message.key), value: message.value as Buffer, ceId: String(message.headers?.['ce_id']) });
      },
    });
    try {
      await eventually(() => expect(received).toHaveLength(1), 60_000);
      expect(received[0]).toEqual({ key: 'k1', value, ceId: 'evt-1' });
    } finally {
      await consumer.disconnect();
    }
  });

  it('Temporal: a worker on the real server executes a workflow and its activity', async () => {
    const taskQueue = uniqueName('infra-test');
    const nativeConnection = await NativeConnection.connect({ address: env.temporalAddress });
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: env.temporalNamespace,
      taskQueue,
      workflowsPath: path.join(__dirname, '__fixtures__/echo.workflow.ts'),
      activities: { shout: async (text: string) => text.toUpperCase() },
    });
    const connection = await Connection.connect({ address: env.temporalAddress });
    const client = new Client({ connection, namespace: env.temporalNamespace });
    try {
      const result = await worker.runUntil(
        client.workflow.execute('echoWorkflow', { taskQueue, workflowId: uniqueName('echo'), args: ['strata'] }),
      );
      expect(result).toBe('strata -> STRATA');
    } finally {
      await connection.close();
      await nativeConnection.close();
    }
  });
});
