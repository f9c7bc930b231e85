/**
 * Set-up and tear-down shared by this lib's integration specs (not exported from the lib): a
 * consumer runner with the specs' fast retry settings, a started outbox relay, the handler that
 * records an effect row, and the afterAll that releases everything a spec created.
 */
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { EventContract } from '@strata/contracts';
import { EventConsumerRunner } from '../core/consumer';
import type { EventConsumerRunnerOptions } from '../core/consumer.types';
import type { MessagingMetrics } from '../core/metrics';
import { OutboxRelay } from '../core/relay';
import { deleteTopics, dropSchema, eventually, silentLogger } from './harness';

/**
 * A consumer runner for a spec: `attempts` tries per event with a 20–100 ms backoff, a 6 s
 * session timeout and no log output. `extra` adds or overrides runner options (metrics,
 * kafkaRetry, restart, …).
 */
export function testRunner(
  kafka: Kafka,
  dataSource: DataSource,
  groupId: string,
  attempts = 3,
  extra: Partial<EventConsumerRunnerOptions> = {},
): EventConsumerRunner {
  return new EventConsumerRunner({
    kafka,
    dataSource,
    groupId,
    retry: { attempts, initialBackoffMs: 20, maxBackoffMs: 100 },
    sessionTimeout: 6000,
    logger: silentLogger,
    ...extra,
  });
}

/** Registers on `runner` a handler that inserts (event id, 'x') into `"<schema>".effect` in the handler's transaction. */
export function registerEffectWriter(runner: EventConsumerRunner, contract: EventContract, schema: string): EventConsumerRunner {
  return runner.register(contract, async (_v, ctx) => {
    await ctx.manager.query(`INSERT INTO "${schema}".effect (event_id, value) VALUES ($1, 'x')`, [ctx.eventId]);
  });
}

/** Starts (and returns) an outbox relay of `serviceName` polling every `pollIntervalMs` ms, silent. */
export function startTestRelay(dataSource: DataSource, kafka: Kafka, serviceName: string, pollIntervalMs: number, metrics?: MessagingMetrics): OutboxRelay {
  const relay = new OutboxRelay({ dataSource, kafka, serviceName, pollIntervalMs, ...(metrics ? { metrics } : {}), logger: silentLogger });
  relay.start();
  return relay;
}

/** What a spec set up, for {@link tearDownSpec}; absent parts (a failed beforeAll) are skipped. */
export interface SpecResources {
  runners: ReadonlyArray<EventConsumerRunner | undefined>;
  relay: OutboxRelay | undefined;
  dataSource: DataSource | undefined;
  schema: string;
  /** Topics to delete (with their .dlq); none when omitted or when `kafka` is unset. */
  kafka?: Kafka | undefined;
  topics?: string[];
}

/** Stops the runners, then the relay, closes the DataSource, drops the schema and deletes the topics. */
export async function tearDownSpec(r: SpecResources): Promise<void> {
  for (const runner of r.runners) await runner?.stop();
  await r.relay?.stop();
  await r.dataSource?.destroy();
  await dropSchema(r.schema);
  if (r.kafka && r.topics) await deleteTopics(r.kafka, r.topics);
}

/** The number in column `n` of the first row of `sql` (a `SELECT count(*) AS n …`). */
export async function countRows(dataSource: DataSource, sql: string, params: unknown[] = []): Promise<number> {
  const [row]: Array<{ n: string }> = await dataSource.query(sql, params);
  return Number(row?.n);
}

/**
 * Waits (polling every `intervalMs`, at most `timeoutMs`) until the relay has sent every outbox
 * row of `schema` and exactly `n` distinct events have an effect row; the expectations of the
 * last poll fail the test on timeout.
 */
export async function expectAllRelayedAndApplied(dataSource: DataSource, schema: string, n: number, timeoutMs: number, intervalMs: number): Promise<void> {
  await eventually(
    async () => {
      expect(await countRows(dataSource, `SELECT count(*) AS n FROM "${schema}".outbox_event WHERE sent_at IS NULL`)).toBe(0);
      expect(await countRows(dataSource, `SELECT count(DISTINCT event_id) AS n FROM "${schema}".effect`)).toBe(n);
    },
    timeoutMs,
    intervalMs,
  );
}
