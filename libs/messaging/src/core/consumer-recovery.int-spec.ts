/**
 * Finding 1 of issue 19: a broker outage longer than the consumer's retry budget makes kafkajs
 * crash the consumer for good (`restart: false`, e.g. `Failed to find group coordinator`), and it
 * never consumed again while readiness stayed 200. Here, against a PRIVATE broker (its own ports
 * and state dir via tools/stack/stack.sh, see testing/private-kafka.ts; the shared broker is never
 * touched): events flow, the broker is SIGKILLed and kept down until the group has crashed (the
 * kafkajs retry budget is cut to ~2 s so that happens in seconds, not after the default minute;
 * every crash is a `restart: false` crash, the runner's own supervision is the only restart),
 * then started again. Asserted: the group is reported not ready (503-worthy, named) from the
 * crash until it joined again, then ready; it consumes again within a bound; the restart counter
 * rose; every event published before, during and after the outage took effect exactly once.
 *
 * Needs only PostgreSQL from the shared stack (DATABASE_URL) plus Java and the Kafka jars in
 * `.stack/cache` (as for `tools/stack/stack.sh up`). Time: about 1–2 minutes.
 */
import type { DataSource } from 'typeorm';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { type EventConsumerRunner } from './consumer';
import { createKafka } from './kafka';
import { MessagingMetrics } from './metrics';
import { EventPublisher } from './publisher';
import { type OutboxRelay } from './relay';
import { MessagingHealth } from '../nest/messaging-health';
import { createTestDataSource, createTopics, eventually, testContract, uniq } from '../testing/harness';
import { countRows, expectAllRelayedAndApplied, registerEffectWriter, startTestRelay, tearDownSpec, testRunner } from '../testing/spec-stack';
import { privateKafka, type PrivateKafka } from '../testing/private-kafka';

jest.setTimeout(200_000);

const id = uniq();
const schema = `msg_recover_${id}`;
const group = `recover-${id}`;
const contract = testContract('recover', id);
const broker: PrivateKafka = privateKafka();
const registry = new Registry();
const metrics = new MessagingMetrics(registry);
let ds: DataSource | undefined;
let kafka: Kafka;
let relay: OutboxRelay | undefined;
let runner: EventConsumerRunner | undefined;

function defined<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`${what} was not set up (see beforeAll)`);
  return v;
}

function note(line: string): void {
  process.stdout.write(`[consumer-recovery] ${line}\n`);
}

beforeAll(async () => {
  // Hooks are bounded by jest's timeout; start() by its own limit (the JVM start is slow on a busy machine).
  await broker.start(150_000);
  // Short kafkajs retries for every client of this test (default: about a minute each), so the
  // consumer gives up, and a restart attempt fails, within seconds while the broker is down.
  kafka = createKafka({ brokers: broker.brokers, clientId: `recover-${id}`, logger: undefined, retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 1000 } });
  await createTopics(kafka, [contract.topic]);
  ds = await createTestDataSource(schema);
  relay = startTestRelay(ds, kafka, 'recover', 100, metrics);
  runner = testRunner(kafka, ds, group, 3, {
    // the consumer gives up after ~2 s of failing broker calls (default: about a minute)
    kafkaRetry: { retries: 3, initialRetryTime: 200, maxRetryTime: 1000 },
    restart: { initialBackoffMs: 500, maxBackoffMs: 4000 },
    metrics,
  });
  registerEffectWriter(runner, contract, schema);
  await runner.start();
}, 200_000);

afterAll(async () => {
  try {
    await tearDownSpec({ runners: [runner], relay, dataSource: ds, schema });
  } finally {
    await broker.destroy();
  }
}, 120_000);

const count = (sql: string, params: unknown[] = []): Promise<number> => countRows(defined(ds, 'ds'), sql, params);

/** `/health/ready` as the platform computes it from MessagingHealth: the Kafka check and one check per group. */
async function readiness(health: MessagingHealth): Promise<{ status: 200 | 503; errors: string[] }> {
  const checks = [{ name: 'kafka', check: () => health.checkKafka() }, ...health.consumerGroupChecks()];
  const results = await Promise.allSettled(checks.map((c) => c.check()));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : []));
  return { status: errors.length === 0 ? 200 : 503, errors };
}

async function restartsCounted(): Promise<number> {
  const m = await registry.getSingleMetric('strata_messaging_consumer_restarts_total')?.get();
  return m?.values.find((v) => v.labels.group === group)?.value ?? 0;
}

it('a consumer group that crashed for good during a broker outage restarts itself: not ready meanwhile, nothing lost or doubled', async () => {
  const health = new MessagingHealth(kafka, 1500, runner);
  const groupState = (): string | undefined => defined(runner, 'runner').groupStatuses().find((g) => g.groupId === group)?.state;
  // a fresh broker's coordinator may need longer than the short retry budget: the first join can take a restart
  await eventually(() => expect(groupState()).toBe('running'), 60_000, 100);
  await eventually(async () => expect((await readiness(health)).status).toBe(200), 30_000, 300);
  const restartsBefore = await restartsCounted();

  // Events keep being published (into the outbox) through the whole test.
  const publisher = new EventPublisher({ serviceName: 'recover', onPublished: () => relay?.wake() });
  let n = 0;
  let publishing = true;
  const publishLoop = (async () => {
    while (publishing) {
      await defined(ds, 'ds').transaction((m) => publisher.publish(m, contract, { id: `e${n}`, key: `k${n % 7}`, n }));
      n++;
      await new Promise((r) => setTimeout(r, 40));
    }
  })();
  const effects = (): Promise<number> => count(`SELECT count(*) AS n FROM "${schema}".effect`);

  // before: the stream flows
  await eventually(async () => expect(await effects()).toBeGreaterThan(30), 60_000, 200);

  // Readiness sampled all along (every 300 ms).
  const samples: Array<{ at: number; status: number; errors: string[]; state?: string }> = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const r = await readiness(health);
      samples.push({ at: Date.now(), ...r, state: groupState() });
      await new Promise((res) => setTimeout(res, 300));
    }
  })();

  const killedAt = Date.now();
  broker.kill();
  // during: the group crashes (kafkajs gives up) and is reported restarting, named, with its error
  await eventually(() => expect(groupState()).toBe('restarting'), 60_000, 100);
  const crashedAt = Date.now();
  const down = defined(runner, 'runner').groupStatuses()[0];
  expect(down?.lastError).toBeTruthy();
  const publishedWhileDown = n;
  await eventually(() => expect(n).toBeGreaterThan(publishedWhileDown + 50), 30_000, 100); // keep it down a little longer

  const restartBegan = Date.now();
  await broker.start(150_000);
  const brokerBackAt = Date.now();
  const publishedBeforeBack = n;
  // after: the group joins again and consumes what was published while it was down and after
  await eventually(() => expect(groupState()).toBe('running'), 60_000, 100);
  const runningAt = Date.now();
  await eventually(
    async () => expect(await effects()).toBeGreaterThanOrEqual(publishedBeforeBack),
    60_000,
    200,
  );
  const consumingAt = Date.now();
  await eventually(async () => expect(n).toBeGreaterThan(publishedBeforeBack + 30), 30_000, 100);
  publishing = false;
  await publishLoop;

  await expectAllRelayedAndApplied(defined(ds, 'ds'), schema, n, 60_000, 200);
  await eventually(async () => expect((await readiness(health)).status).toBe(200), 30_000, 300);
  sampling = false;
  await sampler;

  // exactly once: every published event has one effect, none twice
  expect(await count(`SELECT count(*) AS n FROM "${schema}".effect`)).toBe(n);
  expect(await count(`SELECT count(*) AS n FROM "${schema}".outbox_event`)).toBe(n);
  expect(await count(`SELECT count(*) AS n FROM (SELECT event_id FROM "${schema}".effect GROUP BY event_id HAVING count(*) > 1) d`)).toBe(0);
  expect(await count(`SELECT count(*) AS n FROM "${schema}".outbox_event o LEFT JOIN "${schema}".effect e ON e.event_id = o.id::text WHERE e.event_id IS NULL`)).toBe(0);

  // readiness: 503 naming the group while it was not running, 200 at the end
  const namedWhileDown = samples.filter((s) => s.at >= crashedAt && s.at < runningAt && s.status === 503 && s.errors.some((e) => e.includes(`consumer group '${group}'`)));
  expect(namedWhileDown.length).toBeGreaterThan(0);
  expect(samples.filter((s) => s.state === 'restarting').every((s) => s.status === 503)).toBe(true);
  expect(samples.at(-1)?.status).toBe(200);
  // the restart counter rose (each attempt while the broker was down counts)
  const restarts = (await restartsCounted()) - restartsBefore;
  expect(restarts).toBeGreaterThanOrEqual(1);
  expect(defined(runner, 'runner').groupStatuses()[0]?.restarts).toBe(restarts + restartsBefore);

  note(
    `events ${n} (before kill ${publishedWhileDown}, before broker back ${publishedBeforeBack}); crash seen ${crashedAt - killedAt} ms after the kill (${down?.lastError}); ` +
      `broker restart took ${brokerBackAt - restartBegan} ms; group running ${runningAt - brokerBackAt} ms and backlog consumed ${consumingAt - brokerBackAt} ms after the broker was back; restarts counted during the outage ${restarts} (before it ${restartsBefore}); readiness samples ${samples.length} (503 naming the group: ${namedWhileDown.length})`,
  );
});
