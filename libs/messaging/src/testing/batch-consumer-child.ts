/**
 * Child process of the batch crash test. Usage:
 *   node -r @swc-node/register batch-consumer-child.ts <schema> <id> <group> <maxBatchRecords> <crashAtN>
 *
 * Consumes the `batch-crash` test topic in `<group>` with batches of `<maxBatchRecords>` records;
 * each handler writes an effect row in the batch's transaction. The handler of the record with
 * `n = <crashAtN>` prints "crash <handled in this transaction before it>" and SIGKILLs its own
 * process, in the middle of a batch transaction (earlier batches committed, the current one not).
 */
import { DataSource, type EntityManager } from 'typeorm';
import { EventConsumerRunner } from '../core/consumer';
import { MESSAGING_ENTITIES } from '../core/migrations';
import { silentLogger } from '../core/logger';
import { infra, testContract, testKafka } from './harness';

async function main(): Promise<void> {
  const [schema, id, group, maxBatch, crashAt] = process.argv.slice(2) as [string, string, string, string, string];
  const contract = testContract('batch-crash', id, 1);
  const ds = new DataSource({ type: 'postgres', url: infra().databaseUrl, schema, entities: [...MESSAGING_ENTITIES] });
  await ds.initialize();
  let tx: EntityManager | undefined;
  let inTx = 0;
  const runner = new EventConsumerRunner({
    kafka: testKafka(`batch-child-${id}`),
    dataSource: ds,
    groupId: group,
    maxBatchRecords: Number(maxBatch),
    sessionTimeout: 6000,
    logger: silentLogger,
  });
  runner.register(contract, async (v, ctx) => {
    if (ctx.manager !== tx) {
      tx = ctx.manager;
      inTx = 0;
    }
    if (v.n === Number(crashAt)) {
      process.stdout.write(`crash ${inTx}\n`, () => process.kill(process.pid, 'SIGKILL'));
      await new Promise(() => undefined);
    }
    await ctx.manager.query(`INSERT INTO "${schema}".effect (event_id, value) VALUES ($1, $2)`, [ctx.eventId, String(v.n)]);
    inTx++;
  });
  await runner.start();
  setInterval(() => undefined, 1 << 30);
}

main().catch((err) => {
  process.stderr.write(`batch-consumer-child failed: ${(err as Error).stack}\n`);
  process.exit(2);
});
