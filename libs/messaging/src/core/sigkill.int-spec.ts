/**
 * Crash safety: a process that committed state + outbox rows is SIGKILLed (before relaying, or
 * while its own relay is mid-flight); another relay publishes what was committed and the consumer
 * applies every committed event exactly once. Real Kafka and PostgreSQL.
 */
import type { DataSource } from 'typeorm';
import type { Kafka } from 'kafkajs';
import { type EventConsumerRunner } from './consumer';
import { OutboxRelay } from './relay';
import { createTestDataSource, createTopics, eventually, silentLogger, testContract, testKafka, uniq } from '../testing/harness';
import { spawnTestChild } from '../testing/child-process';
import { registerEffectWriter, tearDownSpec, testRunner } from '../testing/spec-stack';

jest.setTimeout(300_000);

const id = uniq();
const schema = `msg_kill_${id}`;
const contract = testContract('kill', id);
let ds: DataSource;
let kafka: Kafka;
let relay: OutboxRelay | undefined;
let runner: EventConsumerRunner | undefined;

/** Runs the child until it has committed `minCommits` events (and, for 'relay', a random extra delay), then SIGKILLs it. */
function runChildAndKill(mode: 'commit-only' | 'relay', tag: string, minCommits: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawnTestChild('sigkill-child.ts', [schema, id, mode, tag]);
    const committed: string[] = [];
    let stderr = '';
    let killScheduled = false;
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^committed (.+)$/.exec(line);
        if (m) committed.push(m[1] as string);
      }
      if (!killScheduled && committed.length >= minCommits) {
        killScheduled = true;
        setTimeout(() => child.kill('SIGKILL'), mode === 'relay' ? Math.floor(Math.random() * 150) : 0);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(committed);
      else reject(new Error(`child exited with ${code} before being killed: ${stderr}`));
    });
  });
}

beforeAll(async () => {
  kafka = testKafka(`kill-${id}`);
  await createTopics(kafka, [contract.topic]);
  ds = await createTestDataSource(schema);
  await ds.query(`CREATE TABLE "${schema}".state (event_id text PRIMARY KEY)`);
  runner = registerEffectWriter(testRunner(kafka, ds, `kill-${id}`), contract, schema);
  await runner.start();
});

afterAll(() => tearDownSpec({ runners: [runner], relay, dataSource: ds, schema, kafka, topics: [contract.topic] }));

it('SIGKILL before or during relaying loses nothing and duplicates nothing (12 rounds)', async () => {
  const rounds = 12;
  const unsentAfterKill: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const mode = i % 2 === 0 ? 'commit-only' : 'relay';
    const committed = await runChildAndKill(mode, `r${i}`, mode === 'relay' ? 5 : 1);
    expect(committed.length).toBeGreaterThan(0);
    if (mode === 'commit-only') {
      const [row]: Array<{ n: string }> = await ds.query(`SELECT count(*) AS n FROM "${schema}".outbox_event WHERE sent_at IS NULL`);
      unsentAfterKill.push(Number(row?.n));
    }
  }
  // commit-only children never relay: their rows were waiting when they died.
  expect(unsentAfterKill.every((n) => n >= 1)).toBe(true);

  // A new relay picks up everything committed (including rows of killed relays).
  relay = new OutboxRelay({ dataSource: ds, kafka, serviceName: 'kill', pollIntervalMs: 100, logger: silentLogger });
  relay.start();
  await eventually(
    async () => {
      const [o]: Array<{ n: string }> = await ds.query(`SELECT count(*) AS n FROM "${schema}".outbox_event WHERE sent_at IS NULL`);
      expect(Number(o?.n)).toBe(0);
      const [s]: Array<{ n: string }> = await ds.query(`SELECT count(*) AS n FROM "${schema}".state`);
      const [e]: Array<{ n: string }> = await ds.query(`SELECT count(DISTINCT event_id) AS n FROM "${schema}".effect`);
      expect(Number(e?.n)).toBe(Number(s?.n));
    },
    120_000,
    250,
  );
  // Every committed state change has exactly one effect; no effect without committed state.
  const mismatched: unknown[] = await ds.query(
    `SELECT s.event_id, count(e.event_id) AS n FROM "${schema}".state s LEFT JOIN "${schema}".effect e ON e.event_id = s.event_id
      GROUP BY s.event_id HAVING count(e.event_id) <> 1`,
  );
  expect(mismatched).toEqual([]);
  const orphans: unknown[] = await ds.query(
    `SELECT e.event_id FROM "${schema}".effect e LEFT JOIN "${schema}".state s ON s.event_id = e.event_id WHERE s.event_id IS NULL`,
  );
  expect(orphans).toEqual([]);
  // Outbox rows = state rows (same transaction).
  const [counts]: Array<{ o: string; s: string }> = await ds.query(
    `SELECT (SELECT count(*) FROM "${schema}".outbox_event) AS o, (SELECT count(*) FROM "${schema}".state) AS s`,
  );
  expect(counts?.o).toBe(counts?.s);
});
