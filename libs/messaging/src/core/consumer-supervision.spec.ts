/**
 * Supervision of consumer groups (restart after any crash, backoff, state, metrics), with an
 * in-memory kafkajs double: the broker-level behaviour is covered by
 * consumer-recovery.int-spec.ts against a real broker.
 */
import { EventEmitter } from 'node:events';
import type { DataSource } from 'typeorm';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { EventConsumerRunner } from './consumer';
import { MessagingMetrics } from './metrics';
import { silentLogger, testContract } from '../testing/harness';
import { MessagingHealth } from '../nest/messaging-health';

const EVENTS = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' } as const;

class FakeConsumer extends EventEmitter {
  readonly events = EVENTS;
  connected = false;
  running = false;
  constructor(
    readonly options: { groupId: string; retry?: { restartOnFailure?: (e: Error) => Promise<boolean> } },
    private readonly failConnect: () => Error | undefined,
  ) {
    super();
  }
  async connect(): Promise<void> {
    const err = this.failConnect();
    if (err) throw err;
    this.connected = true;
  }
  async subscribe(): Promise<void> {
    await Promise.resolve();
  }
  /** The `eachBatch` the runner gave to `run` (to hand it a batch). */
  eachBatch?: (payload: unknown) => Promise<void>;
  async run(options?: { eachBatch?: (payload: unknown) => Promise<void> }): Promise<void> {
    this.eachBatch = options?.eachBatch;
    this.running = true;
    this.emit(EVENTS.GROUP_JOIN, { payload: { groupId: this.options.groupId } });
  }
  async disconnect(): Promise<void> {
    this.connected = false;
    this.running = false;
  }
  crash(error: Error, restart = false): void {
    this.running = false;
    this.connected = false;
    this.emit(EVENTS.CRASH, { payload: { error, groupId: this.options.groupId, restart } });
  }
}

function fakeKafka(failConnect: () => Error | undefined = () => undefined) {
  const consumers: FakeConsumer[] = [];
  const kafka = {
    consumer: (options: FakeConsumer['options']) => {
      const c = new FakeConsumer(options, failConnect);
      consumers.push(c);
      return c;
    },
  } as unknown as Kafka;
  return { kafka, consumers };
}

const dataSource = {
  options: { type: 'postgres', schema: 'svc' },
  hasMetadata: () => true,
  getMetadata: (e: { name: string }) => ({ schema: 'svc', tableName: e.name === 'OutboxEventEntity' ? 'outbox_event' : 'inbox_event' }),
} as unknown as DataSource;

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup(failConnect?: () => Error | undefined) {
  const { kafka, consumers } = fakeKafka(failConnect);
  const registry = new Registry();
  const metrics = new MessagingMetrics(registry);
  const runner = new EventConsumerRunner({
    kafka,
    dataSource,
    groupId: 'serving',
    restart: { initialBackoffMs: 20, maxBackoffMs: 80 },
    metrics,
    logger: silentLogger,
  });
  runner.register(testContract('sup', 'x'), async () => undefined);
  const health = new MessagingHealth(kafka, 100, runner);
  return { runner, consumers, metrics, registry, health };
}

async function restarts(registry: Registry): Promise<number> {
  const m = await registry.getSingleMetric('strata_messaging_consumer_restarts_total')?.get();
  return m?.values.find((v) => v.labels.group === 'serving')?.value ?? 0;
}

async function stateGauge(registry: Registry): Promise<Record<string, number>> {
  const m = await registry.getSingleMetric('strata_messaging_consumer_group_state')?.get();
  return Object.fromEntries((m?.values ?? []).filter((v) => v.labels.group === 'serving').map((v) => [String(v.labels.state), v.value]));
}

describe('EventConsumerRunner supervision', () => {
  it('restarts a group after a restart:false crash with a fresh consumer; not ready from the crash until it joined again', async () => {
    const { runner, consumers, registry, health } = setup();
    await runner.start();
    expect(runner.groupStatuses()[0]).toMatchObject({ groupId: 'serving', state: 'running', restarts: 0 });
    await expect(health.consumerGroupChecks()[0]?.check()).resolves.toBeUndefined();
    // kafkajs never restarts by itself: the runner handles every crash.
    await expect(consumers[0]?.options.retry?.restartOnFailure?.(new Error('x'))).resolves.toBe(false);

    consumers[0]?.crash(new Error('Failed to find group coordinator'));
    const down = runner.groupStatuses()[0];
    expect(down).toMatchObject({ state: 'restarting', lastError: 'Failed to find group coordinator' });
    const check = health.consumerGroupChecks()[0];
    expect(check?.name).toBe('consumer-group:serving');
    await expect(check?.check()).rejects.toThrow(/consumer group 'serving' is restarting since .*Failed to find group coordinator/);
    expect((await stateGauge(registry)).restarting).toBe(1);

    await until(() => runner.groupStatuses()[0]?.state === 'running');
    expect(consumers).toHaveLength(2);
    expect(consumers[0]?.connected).toBe(false);
    expect(consumers[1]?.running).toBe(true);
    expect(runner.groupStatuses()[0]).toMatchObject({ restarts: 1, lastError: 'Failed to find group coordinator' });
    expect(await restarts(registry)).toBe(1);
    expect(await stateGauge(registry)).toEqual({ stopped: 0, starting: 0, running: 1, restarting: 0 });

    // A late event of the replaced consumer changes nothing.
    consumers[0]?.crash(new Error('stale'));
    expect(runner.groupStatuses()[0]?.state).toBe('running');
    await runner.stop();
    expect(runner.groupStatuses()[0]?.state).toBe('stopped');
  });

  it('keeps retrying a group that cannot connect, with growing bounded backoff, until it can', async () => {
    let failures = 4;
    const { runner, consumers, registry } = setup(() => (failures-- > 0 ? new Error('connect ECONNREFUSED 127.0.0.1:9092') : undefined));
    const t0 = Date.now();
    await runner.start(); // never throws: the first attempt failed, the group is restarting
    expect(runner.groupStatuses()[0]).toMatchObject({ state: 'restarting', lastError: 'connect ECONNREFUSED 127.0.0.1:9092' });
    await until(() => runner.groupStatuses()[0]?.state === 'running');
    // 4 failed attempts: backoff 20, 40, 80, 80 ms (±20 %) before attempts 2..5
    expect(Date.now() - t0).toBeGreaterThanOrEqual(0.8 * (20 + 40 + 80 + 80));
    expect(consumers).toHaveLength(5);
    expect(await restarts(registry)).toBe(4);
    await runner.stop();
  });

  it('stop() cancels a scheduled restart: no consumer is created afterwards', async () => {
    const { runner, consumers } = setup();
    await runner.start();
    consumers[0]?.crash(new Error('boom'));
    await runner.stop();
    await new Promise((r) => setTimeout(r, 150));
    expect(consumers).toHaveLength(1);
    expect(runner.groupStatuses()[0]?.state).toBe('stopped');
  });

  it('also supervises crashes kafkajs would have restarted itself (restart: true)', async () => {
    const { runner, consumers } = setup();
    await runner.start();
    consumers[0]?.crash(new Error('No broker available'), true);
    expect(runner.groupStatuses()[0]?.state).toBe('restarting');
    await until(() => runner.groupStatuses()[0]?.state === 'running');
    expect(consumers).toHaveLength(2);
    await runner.stop();
  });

  it('reports no group checks when the service runs no consumers', () => {
    const { runner } = setup();
    expect(new MessagingHealth({} as Kafka, 100, runner, false).consumerGroupChecks()).toEqual([]);
  });
  it("reports the group's offset lag of the last batch in its status and readiness details (no broker call), counted again after it rejoined", async () => {
    const { runner, consumers, health } = setup();
    await runner.start();
    expect(runner.groupStatuses()[0]?.lag).toBeUndefined();
    // a batch of 3 records from offset 40 with the partition's end at 100; stopping before any is handled
    const message = (offset: string) => ({ offset, key: null, value: Buffer.from('{}'), timestamp: String(Date.now()), headers: {} });
    await consumers[0]?.eachBatch?.({
      batch: { topic: runner.subscriptions()[0]?.topics[0], partition: 2, highWatermark: '100', messages: [message('40'), message('41'), message('42')] },
      resolveOffset: () => undefined,
      heartbeat: async () => undefined,
      isRunning: () => false,
      isStale: () => false,
      commitOffsetsIfNecessary: async () => undefined,
    });
    expect(runner.groupStatuses()[0]?.lag).toMatchObject({ records: 60, partitions: 1 });
    const check = health.consumerGroupChecks()[0];
    await expect(check?.check()).resolves.toBeUndefined();
    expect(check?.details()).toMatchObject({ groupId: 'serving', state: 'running', lag: { records: 60, partitions: 1 } });

    consumers[0]?.crash(new Error('Failed to find group coordinator'));
    await until(() => runner.groupStatuses()[0]?.state === 'running');
    expect(runner.groupStatuses()[0]?.lag).toBeUndefined();
    await runner.stop();
  });
});
