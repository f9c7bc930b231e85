/**
 * `strata`: the command line of Strata.
 *
 *   strata demo [--out summary.json] [--sample-rows N] [--train-months 2019-03,2019-04,2020-01]
 *               [--replay-months 2020-02,2020-03,2020-04] [--datasets-dir DIR]
 *   strata status
 *   strata auth bootstrap-admin|create-key|list-keys|revoke|service-keys   (see auth-commands.ts)
 *
 * Service URLs come from INGESTION_URL ... MONITORING_URL (defaults 127.0.0.1:3001-3006).
 */
import fs from 'node:fs';
import path from 'node:path';
import { renderSummary, runTaxiDemo } from '@strata/cli/feature-demo';
import { StrataClient, endpointsFromEnv } from '@strata/shared/data-access-strata-client';
import { Command, InvalidArgumentError } from 'commander';
import { registerAuthCommands } from './auth-commands';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const months = (value: string): string[] => {
  const list = value.split(',').map((m) => m.trim());
  for (const m of list) if (!/^\d{4}-\d{2}$/.test(m)) throw new InvalidArgumentError(`'${m}' is not a YYYY-MM month`);
  return list;
};
const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`'${value}' is not a positive integer`);
  return n;
};

const program = new Command().name('strata').description('Strata ML platform command line');

program
  .command('demo')
  .description('run the whole flow on NYC taxi trips through the running services')
  .option('--out <path>', 'also write the summary as JSON to this file')
  .option('--sample-rows <n>', 'use only the first N trips of each month', positiveInt)
  .option('--train-months <list>', 'months to train and evaluate on (last = held out)', months, ['2019-03', '2019-04', '2020-01'])
  .option('--replay-months <list>', 'months replayed through serving with feedback', months, ['2020-02', '2020-03', '2020-04'])
  .option('--datasets-dir <dir>', 'folder with the taxi CSVs', path.resolve(REPO_ROOT, '../shared/datasets/nyc-taxi-yellow-samples'))
  .option('--model <name>', 'registered model name', 'taxi-tip')
  .option('--concurrency <n>', 'concurrent infer requests during the replay', positiveInt, 4)
  .action(async (opts: { out?: string; sampleRows?: number; trainMonths: string[]; replayMonths: string[]; datasetsDir: string; model: string; concurrency: number }) => {
    const summary = await runTaxiDemo({
      client: new StrataClient(endpointsFromEnv(process.env)),
      datasetsDir: opts.datasetsDir,
      repoRoot: REPO_ROOT,
      trainMonths: opts.trainMonths,
      replayMonths: opts.replayMonths,
      sampleRows: opts.sampleRows,
      modelName: opts.model,
      concurrency: opts.concurrency,
      log: (line) => console.log(line),
    });
    console.log(renderSummary(summary));
    if (opts.out) {
      fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
      fs.writeFileSync(opts.out, JSON.stringify(summary, null, 2) + '\n');
      console.log(`summary written to ${opts.out}`);
    }
    process.exitCode = summary.ok ? 0 : 1;
  });

program
  .command('status')
  .description('readiness of every service')
  .action(async () => {
    const report = await new StrataClient(endpointsFromEnv(process.env)).readiness();
    let ok = true;
    for (const [name, r] of Object.entries(report)) {
      const ready = 'status' in r && r.status === 'ok';
      ok &&= ready;
      console.log(`${name.padEnd(11)} ${ready ? 'ready' : 'NOT READY'}  ${JSON.stringify('checks' in r ? r.checks : r)}`);
    }
    process.exitCode = ok ? 0 : 1;
  });

registerAuthCommands(program, REPO_ROOT);

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`strata: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
