/**
 * `strata auth ...`: API keys in the shared `auth` schema, straight against PostgreSQL
 * (`DATABASE_URL`, or `DATABASE_URL_FILE`): the way in before any admin key exists.
 *
 *   strata auth bootstrap-admin [--name N] [--expires-days 90] [--force]
 *   strata auth create-key --name N --roles viewer,data-scientist [--projects a,b] [--expires-days 90]
 *   strata auth list-keys
 *   strata auth revoke <keyId>
 *   strata auth service-keys [--out .run/credentials.env] [--expires-days 30]
 *
 * Keys are printed ONCE (stdout) and stored as SHA-256 hashes; nothing else prints them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiKeyStore, isKnownRole, migrateSecuritySchemas, readSecret } from '@strata/shared/auth';
import { type Command, InvalidArgumentError } from 'commander';
import { Client } from 'pg';

/** The six services; each gets its own `service:<name>` key. */
export const SERVICE_NAMES = ['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'] as const;

const days = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3650) throw new InvalidArgumentError(`'${value}' is not a number of days 1..3650`);
  return n;
};
const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);

/** Runs `fn` with a migrated `auth` schema on one connection, in a transaction (advisory lock for bootstrap). */
async function withStore<T>(fn: (store: ApiKeyStore, client: Client) => Promise<T>): Promise<T> {
  const url = readSecret(process.env, 'DATABASE_URL');
  if (!url) throw new Error('DATABASE_URL (or DATABASE_URL_FILE) must point at the Strata PostgreSQL database');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await migrateSecuritySchemas(client);
    const result = await fn(new ApiKeyStore(client), client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
}

const expiry = (d: number): Date => new Date(Date.now() + d * 86_400_000);

/** Writes `content` with mode 600 (created so, and tightened if it existed). */
function writePrivate(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, content, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

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
      const created = await withStore(async (store, client) => {
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('strata-auth:bootstrap-admin'))`);
        return store.bootstrapAdmin({ name: opts.name, expiresAt: expiry(opts.expiresDays), force: opts.force, createdBy: `cli:${process.env['USER'] ?? 'unknown'}` });
      });
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
      const created = await withStore((store) =>
        store.create({ name: opts.name, roles: opts.roles, projects: opts.projects ?? null, expiresAt: expiry(opts.expiresDays), createdBy: `cli:${process.env['USER'] ?? 'unknown'}` }),
      );
      console.error(`key ${created.keyId} (${created.roles.join(', ')}) created, expires ${created.expiresAt}; shown once:`);
      console.log(created.key);
    });

  auth
    .command('list-keys')
    .description('list API keys (never the secrets)')
    .action(async () => {
      const keys = await withStore((store) => store.list());
      for (const k of keys) {
        const state = k.revokedAt ? `revoked ${k.revokedAt}` : k.expiresAt && Date.parse(k.expiresAt) <= Date.now() ? `expired ${k.expiresAt}` : `active until ${k.expiresAt ?? 'never'}`;
        console.log(`${k.keyId}  ${k.name.padEnd(28)} ${k.roles.join(',').padEnd(32)} ${state}`);
      }
    });

  auth
    .command('revoke <keyId>')
    .description('revoke an API key (effective within STRATA_AUTH_KEY_CACHE_MS, default 5 s)')
    .action(async (keyId: string) => {
      const rec = await withStore((store) => store.revoke(keyId, `cli:${process.env['USER'] ?? 'unknown'}`));
      console.log(`${rec.keyId} revoked at ${rec.revokedAt}`);
    });

  auth
    .command('service-keys')
    .description('create one service:<name> key per service and a CLI key; write them to .run/credentials.env and .run/credentials/<svc>.key (mode 600)')
    .option('--out <file>', 'env file to write', path.join(repoRoot, '.run/credentials.env'))
    .option('--expires-days <n>', 'lifetime in days', days, 30)
    .action(async (opts: { out: string; expiresDays: number }) => {
      const out = path.resolve(opts.out);
      const dir = path.join(path.dirname(out), 'credentials');
      const lines: string[] = ['# Strata credentials written by `strata auth service-keys` (mode 600). Do not commit.'];
      await withStore(async (store) => {
        for (const svc of SERVICE_NAMES) {
          const role = `service:${svc}`;
          if (!isKnownRole(role)) throw new Error(`no permissions are defined for ${role}`);
          const created = await store.create({ name: `${svc}-service`, roles: [role], expiresAt: expiry(opts.expiresDays), createdBy: 'cli:service-keys' });
          const keyFile = path.join(dir, `${svc}.key`);
          writePrivate(keyFile, `${created.key}\n`);
          lines.push(`${svc.toUpperCase()}_STRATA_API_KEY_FILE=${keyFile}`);
        }
        const cli = await store.create({ name: 'cli-operator', roles: ['data-scientist', 'ml-engineer'], expiresAt: expiry(opts.expiresDays), createdBy: 'cli:service-keys' });
        lines.push(`STRATA_API_KEY=${cli.key}`);
      });
      writePrivate(out, `${lines.join('\n')}\n`);
      console.log(`wrote ${SERVICE_NAMES.length} service keys to ${dir}/<service>.key and ${out} (mode 600)`);
    });
}
