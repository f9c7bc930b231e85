import fs from 'node:fs';
import path from 'node:path';
import type { StrataClient } from '@strata/shared/data-access-strata-client';
import { type Command, InvalidArgumentError } from 'commander';
import { renderSummary } from './demo-report';
import { runTaxiDemo } from './taxi-demo';

const months = (value: string): string[] => {
  const list = value.split(',').map((m) => m.trim());
  for (const m of list) if (!/^\d{4}-\d{2}$/.test(m)) throw new InvalidArgumentError(`'${m}' is not a YYYY-MM month`);
  return list;
};
/** A line on stdout (the demo's progress and summary). */
const print = (line: string): void => void process.stdout.write(`${line}\n`);
const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`'${value}' is not a positive integer`);
  return n;
};

/**
 * `strata demo` (`npm run demo`): the whole flow on NYC taxi trips through the running services.
 * Lives with the demo so the CLI app names no example. `client` builds the CLI's client (its
 * credentials); `repoRoot` is the checkout (examples/taxi, ../shared/datasets).
 */
export function registerDemoCommand(program: Command, deps: { repoRoot: string; client: () => StrataClient }): void {
  const REPO_ROOT = deps.repoRoot;
  const cliClient = deps.client;
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
        log: (line) => print(line),
      });
      print(renderSummary(summary));
      if (opts.out) {
        fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
        fs.writeFileSync(opts.out, JSON.stringify(summary, null, 2) + '\n');
        print(`summary written to ${opts.out}`);
      }
      process.exitCode = summary.ok ? 0 : 1;
    });
}
