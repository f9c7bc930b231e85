/**
 * `strata`: the command line of Strata.
 *
 *   strata demo [--out summary.json] [--sample-rows N] [--train-months 2019-03,2019-04,2020-01]
 *               [--replay-months 2020-02,2020-03,2020-04] [--datasets-dir DIR]
 *   strata status
 *   strata auth bootstrap-admin|create-key|list-keys|revoke|service-keys   (see auth-commands.ts)
 *   strata init | datasets | features | training-sets | train | runs | search | models | rollout |
 *          predict | batch-score | feedback | monitor   (libs/cli/commands; `strata <cmd> --help`)
 *
 * Service URLs come from INGESTION_URL ... MONITORING_URL (defaults 127.0.0.1:3001-3006).
 * Credentials (services enforce authentication by default): STRATA_API_KEY, else the file named by
 * STRATA_API_KEY_FILE, else the operator key in .run/credentials.env (STRATA_CREDENTIALS_FILE
 * overrides the path) that `npm run up` creates once with `strata auth service-keys`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cliContext, errorLine, registerLifecycleCommands } from '@strata/cli/commands';
import { renderSummary, runTaxiDemo } from '@strata/cli/feature-demo';
import { StrataClient, endpointsFromEnv, operatorCredential } from '@strata/shared/data-access-strata-client';
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

/** The CLI's own credential (see the header); warns once on stderr when there is none. */
function cliClient(): StrataClient {
  const file = process.env['STRATA_CREDENTIALS_FILE'] ?? path.join(REPO_ROOT, '.run/credentials.env');
  const { key, source } = operatorCredential(process.env, file);
  if (!key) console.error(`strata: no credentials (STRATA_API_KEY, STRATA_API_KEY_FILE or STRATA_API_KEY in ${file}); services that enforce authentication will answer 401. \`npm run up\` creates ${file}.`);
  else if (source === 'credentials-file') console.error(`strata: using the operator key from ${file}`);
  return new StrataClient(endpointsFromEnv(process.env), key);
}

const program = new Command().name('strata').description('Strata ML platform command line');

program
  .command('demo')
  .description('run the whole flow on NYC taxi trips through the running services')
  .option('--out <path>', 'also write the summary as JSON to this file')
  .option('--sample-rows <n>', 'use only the first N trips of each month', positiveInt)
  .option('--train-months <list>', 'months to train and evaluate on (last = held out)', months, ['2019-03', '2019-04', '2020-01'])
  .option('--replay-months <list>', 'months replayed through serving with feedback', months, ['2020-02', '2020-03', '2020-04'])
  .option('--datasets-dir <dir>', 'folder with the taxi CSVs', path.resolve(REPO_ROOT, '../shared/datasets/nyc-taxi-yellow-samples'))
  .option('--model <name>', 'registered model name (default: taxi-tip-<UTC time>, a model of its own per run, so every run goes through the whole closed loop)')
  .option('--concurrency <n>', 'concurrent infer requests during the replay', positiveInt, 4)
  .option('--loop-month <YYYY-MM>', 'month of the closed loop (drift → retraining → canary → live decision); default: the last replay month')
  .option('--no-closed-loop', 'replay every month with the champion only (no retraining, canary or promotion)')
  .action(async (opts: { out?: string; sampleRows?: number; trainMonths: string[]; replayMonths: string[]; datasetsDir: string; model?: string; concurrency: number; loopMonth?: string; closedLoop: boolean }) => {
    const model = opts.model ?? `taxi-tip-${new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`;
    const summary = await runTaxiDemo({
      client: cliClient(),
      datasetsDir: opts.datasetsDir,
      repoRoot: REPO_ROOT,
      trainMonths: opts.trainMonths,
      replayMonths: opts.replayMonths,
      sampleRows: opts.sampleRows,
      modelName: model,
      concurrency: opts.concurrency,
      closedLoop: opts.closedLoop === false ? false : { ...(opts.loopMonth ? { month: opts.loopMonth } : {}) },
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
    const report = await new StrataClient(endpointsFromEnv(process.env)).readiness(); // /health/ready is public
    let ok = true;
    for (const [name, r] of Object.entries(report)) {
      const ready = 'status' in r && r.status === 'ok';
      ok &&= ready;
      console.log(`${name.padEnd(11)} ${ready ? 'ready' : 'NOT READY'}  ${JSON.stringify('checks' in r ? r.checks : r)}`);
    }
    process.exitCode = ok ? 0 : 1;
  });

registerAuthCommands(program, REPO_ROOT);
registerLifecycleCommands(program, cliContext(cliClient));

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`strata: ${errorLine(e)}`);
  process.exit(1);
});
