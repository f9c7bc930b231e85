/**
 * MessagingModule wired into a real Nest app (Fastify) with TypeORM on a fresh schema, against
 * the real broker and PostgreSQL.
 */
import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { Registry } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventValue } from '@strata/contracts';
import { EventPublisher, MESSAGING_ENTITIES, MESSAGING_MIGRATIONS, OutboxRelay, type BatchEvent, type EventContext } from '../core';
import { MessagingHealth } from './messaging-health';
import { ConsumeEvent, ConsumeEventBatch } from './consume-event.decorator';
import { MessagingModule } from './messaging.module';
import { createTopics, deleteTopics, dropSchema, eventually, infra, testContract, testKafka, uniq } from '../testing/harness';

jest.setTimeout(120_000);

const id = uniq();
const schema = `msg_nest_${id}`;
const contract = testContract('nest', id);
const bulkContract = testContract('nest-bulk', id);
type Value = EventValue<typeof contract>;

@Injectable()
class PingConsumer {
  readonly received: Array<{ value: Value; eventId: string; traceparent?: string }> = [];

  @ConsumeEvent(contract)
  async onPing(value: Value, ctx: EventContext): Promise<void> {
    this.received.push({ value, eventId: ctx.eventId, traceparent: ctx.traceparent });
  }
}

@Injectable()
class BulkConsumer {
  readonly calls: Array<{ ns: number[]; sameManager: boolean }> = [];

  @ConsumeEventBatch(bulkContract)
  async onMany(events: ReadonlyArray<BatchEvent<typeof bulkContract>>, manager: EntityManager): Promise<void> {
    this.calls.push({ ns: events.map((e) => e.value.n), sameManager: events.every((e) => e.context.manager === manager) });
  }
}

let app: NestFastifyApplication;
const kafka = testKafka(`nest-admin-${id}`);
const registry = new Registry();

beforeAll(async () => {
  await createTopics(kafka, [contract.topic, bulkContract.topic]);
  // The platform creates the schema before migrations run.
  const { DataSource: DS } = await import('typeorm');
  const admin = new DS({ type: 'postgres', url: infra().databaseUrl });
  await admin.initialize();
  await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  await admin.destroy();

  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: infra().databaseUrl,
        schema,
        entities: [...MESSAGING_ENTITIES],
        migrations: [...MESSAGING_MIGRATIONS],
        migrationsRun: true,
      }),
      MessagingModule.forRoot({
        serviceName: `nest-${id}`,
        brokers: infra().brokers,
        retry: { attempts: 3, initialBackoffMs: 20, maxBackoffMs: 100 },
        consumer: { sessionTimeout: 6000 },
        relay: { pollIntervalMs: 200 },
        registry,
      }),
    ],
    providers: [PingConsumer, BulkConsumer],
  }).compile();
  app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
});

afterAll(async () => {
  await (app as INestApplication | undefined)?.close();
  await dropSchema(schema);
  await deleteTopics(kafka, [contract.topic, bulkContract.topic]);
});

it('discovers @ConsumeEvent, publishes through the outbox and consumes with trace context', async () => {
  const ds = app.get<DataSource>(getDataSourceToken());
  const publisher = app.get(EventPublisher);
  const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const out = await ds.transaction((m) => publisher.publish(m, contract, { id: 'n1', key: 'k', n: 1 }, { traceparent: tp }));
  const consumer = app.get(PingConsumer);
  await eventually(() => expect(consumer.received).toHaveLength(1));
  expect(consumer.received[0]).toEqual({ value: { id: 'n1', key: 'k', n: 1 }, eventId: out.id, traceparent: tp });
  expect(app.get(OutboxRelay).isRunning).toBe(true);
  const metrics = await registry.metrics();
  expect(metrics).toContain(`strata_messaging_published_total{topic="${contract.topic}"} 1`);
  expect(metrics).toContain(`strata_messaging_consumed_total{topic="${contract.topic}",group="nest-${id}"} 1`);
  expect(metrics).toContain('strata_messaging_outbox_lag_seconds');
});

it('discovers @ConsumeEventBatch: the method gets the new events of a run with the run\'s manager', async () => {
  const publisher = app.get(EventPublisher);
  const ds = app.get<DataSource>(getDataSourceToken());
  await ds.transaction((m) => publisher.publishMany(m, bulkContract, [1, 2, 3].map((n) => ({ id: `b${n}`, key: 'same', n }))));
  const consumer = app.get(BulkConsumer);
  await eventually(() => expect(consumer.calls.flatMap((c) => c.ns)).toEqual([1, 2, 3]));
  expect(consumer.calls.every((c) => c.sameManager)).toBe(true);
});

it('serves /dead-letters and validates input', async () => {
  const http = app.getHttpAdapter().getInstance();
  const list = await http.inject({ method: 'GET', url: `/dead-letters?topic=${contract.topic}` });
  expect(list.statusCode).toBe(200);
  expect(JSON.parse(list.body)).toEqual([]);
  expect((await http.inject({ method: 'GET', url: '/dead-letters' })).statusCode).toBe(400);
  const topics = await http.inject({ method: 'GET', url: '/dead-letters/topics' });
  expect(topics.statusCode).toBe(200);
  expect((JSON.parse(topics.body) as Array<{ topic: string }>).some((t) => t.topic === contract.topic)).toBe(false); // its dead-letter topic is empty
  const bad = await http.inject({ method: 'POST', url: '/dead-letters/replay', payload: { topic: contract.topic, offsets: ['x'] } });
  expect(bad.statusCode).toBe(400);
  const badTopic = await http.inject({ method: 'POST', url: '/dead-letters/replay', payload: { topic: 'no spaces allowed' } });
  expect(badTopic.statusCode).toBe(400);
  const ok = await http.inject({ method: 'POST', url: '/dead-letters/replay', payload: { topic: contract.topic } });
  expect(ok.statusCode).toBe(200);
  expect(JSON.parse(ok.body)).toEqual({ replayed: 0, offsets: [], missing: [] });
});

it('checkKafka answers', async () => {
  await expect(app.get(MessagingHealth).checkKafka()).resolves.toBeUndefined();
});

it('reports its consumer group for /health/ready: running once joined', async () => {
  const health = app.get(MessagingHealth);
  await eventually(() => expect(health.consumerGroups()).toEqual([expect.objectContaining({ groupId: `nest-${id}`, state: 'running', restarts: 0 })]));
  const [check] = health.consumerGroupChecks();
  expect(check?.name).toBe(`consumer-group:nest-${id}`);
  await expect(check?.check()).resolves.toBeUndefined();
  // the ping and bulk topics' partitions fetched by the tests above, every record processed (highWatermark − next offset = 0)
  expect(check?.details()['lag']).toMatchObject({ records: 0, partitions: 2 });
  expect(await registry.metrics()).toContain(`strata_messaging_consumer_group_state{group="nest-${id}",state="running"} 1`);
});
