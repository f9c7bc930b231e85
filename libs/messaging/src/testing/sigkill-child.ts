/**
 * Child process of the SIGKILL integration test. Usage:
 *   node -r @swc-node/register sigkill-child.ts <schema> <id> <mode: commit-only|relay> <tag>
 *
 * commit-only: commits one state row + one outbox row in one transaction, prints "committed <eventId>",
 *   then idles (never relays) until killed.
 * relay: starts an OutboxRelay and keeps committing state + outbox rows in a loop, printing
 *   "committed <eventId>" for each, until killed (so the kill can land anywhere: between the
 *   Kafka ack and the sent_at commit, mid-transaction, …).
 */
import { DataSource } from 'typeorm';
import { EventPublisher } from '../core/publisher';
import { OutboxRelay } from '../core/relay';
import { MESSAGING_ENTITIES } from '../core/migrations';
import { silentLogger } from '../core/logger';
import { infra, testContract, testKafka } from './harness';

async function main(): Promise<void> {
  const [schema, id, mode, tag] = process.argv.slice(2) as [string, string, string, string];
  const contract = testContract('kill', id);
  const ds = new DataSource({ type: 'postgres', url: infra().databaseUrl, schema, entities: [...MESSAGING_ENTITIES] });
  await ds.initialize();
  const publisher = new EventPublisher({ serviceName: 'sigkill-child' });
  if (mode === 'relay') {
    const relay = new OutboxRelay({ dataSource: ds, kafka: testKafka(`child-${tag}`), serviceName: 'child', pollIntervalMs: 20, logger: silentLogger });
    relay.start();
  }
  for (let n = 0; ; n++) {
    const out = await ds.transaction(async (m) => {
      const ev = await publisher.publish(m, contract, { id: `${tag}-${n}`, key: `k${n % 5}`, n });
      await m.query(`INSERT INTO "${schema}".state (event_id) VALUES ($1)`, [ev.id]);
      return ev;
    });
    process.stdout.write(`committed ${out.id}\n`);
    if (mode !== 'relay') break;
  }
  // Idle until SIGKILL.
  setInterval(() => undefined, 1 << 30);
}

main().catch((err) => {
  process.stderr.write(`sigkill-child failed: ${(err as Error).stack}\n`);
  process.exit(2);
});
