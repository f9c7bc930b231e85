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
import path from 'node:path';
import { cliContext, errorLine, registerLifecycleCommands } from '@strata/cli/commands';
import { registerDemoCommand } from '@strata/cli/domain-demo';
import { StrataClient, endpointsFromEnv, operatorCredential } from '@strata/shared/data-access-strata-client';
import { Command } from 'commander';
import { registerAuthCommands } from './auth-commands';

const REPO_ROOT = path.resolve(__dirname, '../../..');

/** The CLI's own credential (see the header); warns once on stderr when there is none. */
function cliClient(): StrataClient {
  const file = process.env['STRATA_CREDENTIALS_FILE'] ?? path.join(REPO_ROOT, '.run/credentials.env');
  const { key, source } = operatorCredential(process.env, file);
  if (!key) console.error(`strata: no credentials (STRATA_API_KEY, STRATA_API_KEY_FILE or STRATA_API_KEY in ${file}); services that enforce authentication will answer 401. \`npm run up\` creates ${file}.`);
  else if (source === 'credentials-file') console.error(`strata: using the operator key from ${file}`);
  return new StrataClient(endpointsFromEnv(process.env), key);
}

const program = new Command().name('strata').description('Strata ML platform command line');

registerDemoCommand(program, { repoRoot: REPO_ROOT, client: cliClient });

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
