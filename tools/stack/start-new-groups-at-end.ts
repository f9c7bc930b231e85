/**
 * `node -r @swc-node/register tools/stack/start-new-groups-at-end.ts <group>...`: before `npm run up`
 * starts the services, starts each consumer group that has never committed on the platform's
 * topics at their current end (startNewGroupsAtEnd in @strata/messaging), so a first start on a
 * broker that tests or another checkout already used does not consume their events. Brokers from
 * KAFKA_BROKERS (comma-separated). Exits 1 with the reason on a failure (bounded: 30 s per group).
 */
import { startNewGroupsAtEnd } from '@strata/messaging';

async function main(): Promise<void> {
  const groups = process.argv.slice(2);
  const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').filter(Boolean);
  if (groups.length === 0) return;
  const topics = await startNewGroupsAtEnd(brokers, groups);
  process.stdout.write(`consumer groups ${groups.join(', ')}: new ones start at the end of ${topics.length} existing topic(s)\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`start-new-groups-at-end: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
