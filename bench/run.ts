/**
 * `npm run bench`: the HTTP hot-path benchmarks of issue 15 at a small scale (a few minutes), one
 * results file. Runs, one after the other, each side by side with a Fastify hello-world in the
 * same run (see bench/util/load.ts for the method):
 *   - serving `POST /v2/models/{m}/infer`, production configuration (bench/serving/hot-path.ts);
 *   - features `POST /get-online-features`, 1 entity × 10 features on Redis (bench/features/online-hot-path.ts).
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
import { runServingHotPath } from './serving/hot-path';
import { type BenchRow, arg, printRows } from './util/load';

async function main(): Promise<void> {
  const out = path.resolve(arg('out', path.join(__dirname, 'results/latest.json')));
  const suites: Record<string, { rows: BenchRow[]; load: { before: number[]; after: number[] } } | { error: string }> = {};
  for (const [name, run] of [['serving-infer', runServingHotPath], ['features-online', runOnlineHotPath]] as const) {
    process.stdout.write(`\n== ${name}\n`);
    try {
      const res = await run();
      suites[name] = res;
      printRows(res.rows, res.load, `${name}: autocannon closed loop (median of interleaved rounds), then open loop at half of the max`);
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
