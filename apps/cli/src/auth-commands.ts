/**
 * `strata auth ...`: API keys in the shared `auth` schema, straight against PostgreSQL
 * (`DATABASE_URL`, or `DATABASE_URL_FILE`): the way in before any admin key exists.
 *
 *   strata auth bootstrap-admin [--name N] [--expires-days 90] [--force]
 *   strata auth create-key --name N --roles viewer,data-scientist [--projects a,b] [--expires-days 90]
 *   strata auth list-keys
 *   strata auth revoke <keyId>
 *   strata auth service-keys [--out .run/credentials.env] [--expires-days 30] [--renew-days 1]   (idempotent; `npm run up` runs it)
 *
 * Keys are printed ONCE (stdout) and stored as SHA-256 hashes; nothing else prints them.
 */
import path from 'node:path';
import { OPERATOR_ROLES, SERVICE_NAMES, bootstrapAdminKey, cliActor, createKey, ensureServiceKeys, keysDatabaseUrl, listKeys, revokeKey } from '@strata/cli/data-access-keys';
import { type Command, InvalidArgumentError } from 'commander';

const days = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3650) throw new InvalidArgumentError(`'${value}' is not a number of days 1..3650`);
  return n;
};
const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);

/** Registers the `auth` command group on `program`. */
export function registerAuthCommands(program: Command, repoRoot: string): void {
  const auth = program.command('auth').description('API keys and access (DATABASE_URL)');

  auth
    .command('bootstrap-admin')
    .description('create the first admin API key and print it once; refuses when an active admin key exists')
    .option('--name <name>', 'key name', 'bootstrap-admin')
    .option('--expires-days <n>', 'lifetime in days', days, 90)
    .option('--force', 'create another admin key even if one exists')
    .action(async (opts: { name: string; expiresDays: number; force?: boolean }) => {
      const created = await bootstrapAdminKey(keysDatabaseUrl(), { name: opts.name, expiresDays: opts.expiresDays, force: opts.force, createdBy: cliActor() });
      console.error(`admin key ${created.keyId} created (expires ${created.expiresAt}); it is shown once:`);
      console.log(created.key);
    });

  auth
    .command('create-key')
    .description('create an API key with roles and print it once')
    .requiredOption('--name <name>', 'key name')
    .requiredOption('--roles <list>', 'comma-separated roles (viewer, data-scientist, ml-engineer, admin, inference, service:<name>)', list)
    .option('--projects <list>', 'limit the key to these projects', list)
    .option('--expires-days <n>', 'lifetime in days', days, 90)
    .action(async (opts: { name: string; roles: string[]; projects?: string[]; expiresDays: number }) => {
      const created = await createKey(keysDatabaseUrl(), { name: opts.name, roles: opts.roles, projects: opts.projects, expiresDays: opts.expiresDays, createdBy: cliActor() });
      console.error(`key ${created.keyId} (${created.roles.join(', ')}) created, expires ${created.expiresAt}; shown once:`);
      console.log(created.key);
    });

  auth
    .command('list-keys')
    .description('list API keys (never the secrets)')
    .action(async () => {
      const keys = await listKeys(keysDatabaseUrl());
      for (const k of keys) {
        const state = k.revokedAt ? `revoked ${k.revokedAt}` : k.expiresAt && Date.parse(k.expiresAt) <= Date.now() ? `expired ${k.expiresAt}` : `active until ${k.expiresAt ?? 'never'}`;
        console.log(`${k.keyId}  ${k.name.padEnd(28)} ${k.roles.join(',').padEnd(32)} ${state}`);
      }
    });

  auth
    .command('revoke <keyId>')
    .description('revoke an API key (effective within STRATA_AUTH_KEY_CACHE_MS, default 5 s)')
    .action(async (keyId: string) => {
      const rec = await revokeKey(keysDatabaseUrl(), keyId, cliActor());
      console.log(`${rec.keyId} revoked at ${rec.revokedAt}`);
    });

  auth
    .command('service-keys')
    .description(
      'idempotent: make sure every service has its own valid service:<name> key (.run/credentials/<svc>.key) and the operator has a CLI key ' +
        '(STRATA_API_KEY in .run/credentials.env), reusing the ones still valid; all files mode 600; a new operator key is printed once',
    )
    .option('--out <file>', 'env file to write', path.join(repoRoot, '.run/credentials.env'))
    .option('--expires-days <n>', 'lifetime of new keys in days', days, 30)
    .option('--renew-days <n>', 'replace a key that expires within this many days', days, 1)
    .option('--operator-roles <list>', 'roles of the operator (CLI/demo) key', list, [...OPERATOR_ROLES])
    .action(async (opts: { out: string; expiresDays: number; renewDays: number; operatorRoles: string[] }) => {
      const result = await ensureServiceKeys(keysDatabaseUrl(), { out: path.resolve(opts.out), expiresDays: opts.expiresDays, renewDays: opts.renewDays, operatorRoles: opts.operatorRoles });
      const created = result.services.filter((s) => s.created).map((s) => s.service);
      console.error(
        `service keys: ${created.length ? `created ${created.join(', ')}` : 'none created'}; ${SERVICE_NAMES.length - created.length} reused; files ${result.dir}/<service>.key (mode 600)`,
      );
      if (result.operator.created) {
        console.error(`operator key ${result.operator.keyId} (${opts.operatorRoles.join(', ')}) created, expires ${result.operator.expiresAt}; shown once, stored as STRATA_API_KEY in ${result.out} (mode 600) — the CLI and \`npm run demo\` use it by default:`);
        console.log(result.operator.key);
      } else {
        console.error(`operator key ${result.operator.keyId} reused (STRATA_API_KEY in ${result.out}, expires ${result.operator.expiresAt})`);
      }
    });
}
