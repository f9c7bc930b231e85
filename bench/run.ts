/**
 * `npm run bench`: the hot-path benchmarks of issue 15 at a small scale (a few minutes), one
 * results file. Runs, one after the other, each side by side with a Fastify hello-world in the
 * same run (see bench/util/load.ts for the method):
 *   - serving `POST /v2/models/{m}/infer`, production configuration (bench/serving/hot-path.ts);
 *   - features `POST /get-online-features`, 1 entity × 10 features on Redis (bench/features/online-hot-path.ts);
 *   - messaging outbox → Kafka → inbox at 1, 10 and 100 producers, per-message vs batched vs
 *     plain kafkajs (bench/messaging/run.ts; `BENCH_MESSAGING_EVENTS`, default 1500 per row).
 * Writes bench/results/latest.json (`{date, machine, suites: {name: {rows, load}}}`) and prints the tables.
 *
 *   node -r @swc-node/register bench/run.ts [--seconds 4] [--rounds 3] [--connections 16] [--baseline <checkout>] [--out file.json]
 * (flags are passed to each suite). Needs the stack with Redis (.stack/env). The other benchmarks
 * under bench/ (messaging, point-in-time, drift, registry, training) run on their own.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runOnlineHotPath } from './features/online-hot-path';
import { runMessagingBench } from './messaging/run';
import { runServingHotPath } from './serving/hot-path';
import { type BenchRow, arg, printRows } from './util/load';

async function main(): Promise<void> {
  const out = path.resolve(arg('out', path.join(__dirname, 'results/latest.json')));
  const suites: Record<string, { rows: BenchRow[]; load: { before: number[]; after: number[] } } | { error: string }> = {};
  const messaging = (): ReturnType<typeof runMessagingBench> => runMessagingBench(Number(process.env.BENCH_MESSAGING_EVENTS ?? 1500));
  for (const [name, run] of [['serving-infer', runServingHotPath], ['features-online', runOnlineHotPath], ['messaging', messaging]] as const) {
    process.stdout.write(`\n== ${name}\n`);
    try {
      const res = await run();
      suites[name] = res;
      const how = name === 'messaging' ? 'messaging: events/s and publish-to-handled lag (req/s column = events/s)' : `${name}: autocannon closed loop (median of interleaved rounds), then open loop at half of the max`;
      printRows(res.rows, res.load, how);
    } catch (err) {
      suites[name] = { error: (err as Error).message };
      process.stdout.write(`${name} failed: ${(err as Error).message}\n`);
    }
  }
  const cpu = os.cpus();
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine: { cores: cpu.length, model: cpu[0]?.model ?? '?', memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }, suites }, null, 2));
  process.stdout.write(`\nresults: ${out}\n`);
  process.exit(Object.values(suites).some((s) => 'error' in s) ? 1 : 0);
}

void main();
