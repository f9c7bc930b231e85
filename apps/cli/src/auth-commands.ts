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
import fs from 'node:fs';
import path from 'node:path';
import { type ApiKeyRecord, isKnownRole, readSecret } from '@strata/shared/auth';
import { ApiKeyStore, migrateSecuritySchemas } from '@strata/shared/data-access-auth';
import { readCredentialsEnvFile } from '@strata/shared/data-access-strata-client';
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
    .description(
      'idempotent: make sure every service has its own valid service:<name> key (.run/credentials/<svc>.key) and the operator has a CLI key ' +
        '(STRATA_API_KEY in .run/credentials.env), reusing the ones still valid; all files mode 600; a new operator key is printed once',
    )
    .option('--out <file>', 'env file to write', path.join(repoRoot, '.run/credentials.env'))
    .option('--expires-days <n>', 'lifetime of new keys in days', days, 30)
    .option('--renew-days <n>', 'replace a key that expires within this many days', days, 1)
    .option('--operator-roles <list>', 'roles of the operator (CLI/demo) key', list, [...OPERATOR_ROLES])
    .action(async (opts: { out: string; expiresDays: number; renewDays: number; operatorRoles: string[] }) => {
      const result = await ensureServiceKeys({ out: path.resolve(opts.out), expiresDays: opts.expiresDays, renewDays: opts.renewDays, operatorRoles: opts.operatorRoles });
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

/** Roles of the operator key `service-keys` creates for the CLI and the demo (least privilege that runs the whole demo). */
export const OPERATOR_ROLES = ['data-scientist', 'ml-engineer'] as const;

/** What {@link ensureServiceKeys} did (never contains service keys; `operator.key` only when created). */
export interface EnsureServiceKeysResult {
  out: string;
  dir: string;
  services: Array<{ service: string; keyId: string; keyFile: string; created: boolean }>;
  operator: { keyId: string; expiresAt: string | null; created: boolean; key?: string };
}

/**
 * Idempotent credential setup for `npm run up` (DATABASE_URL): for each service, reuses the key in
 * `<dir>/<svc>.key` when it is active in the database, carries role `service:<svc>` and does not
 * expire within `renewDays`; otherwise creates a new one and writes the file. Same for the operator
 * key (`STRATA_API_KEY` of `out`, roles `operatorRoles`). Writes `out` (mode 600) with
 * `<SVC>_STRATA_API_KEY_FILE=<file>` per service and `STRATA_API_KEY=<operator key>`.
 * Replaced keys are not revoked (they expire). All in one transaction.
 * @throws Error when DATABASE_URL is missing, a role is unknown, or a file cannot be written
 */
export async function ensureServiceKeys(opts: { out: string; expiresDays: number; renewDays: number; operatorRoles: readonly string[] }): Promise<EnsureServiceKeysResult> {
  for (const role of opts.operatorRoles) if (!isKnownRole(role)) throw new Error(`unknown operator role '${role}'`);
  const dir = path.join(path.dirname(opts.out), 'credentials');
  const previous = readCredentialsEnvFile(opts.out);
  const renewBefore = Date.now() + opts.renewDays * 86_400_000;
  const stillGood = (rec: ApiKeyRecord | null, roles: readonly string[]): rec is ApiKeyRecord =>
    rec !== null && roles.every((r) => rec.roles.includes(r)) && (rec.expiresAt === null || Date.parse(rec.expiresAt) > renewBefore);
  const readKey = (file: string): string | undefined => {
    try {
      return fs.readFileSync(file, 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const lines: string[] = ['# Strata credentials written by `strata auth service-keys` (mode 600). Do not commit.'];
  const result = await withStore(async (store) => {
    const services: EnsureServiceKeysResult['services'] = [];
    for (const svc of SERVICE_NAMES) {
      const role = `service:${svc}`;
      if (!isKnownRole(role)) throw new Error(`no permissions are defined for ${role}`);
      const keyFile = path.join(dir, `${svc}.key`);
      const existing = readKey(keyFile);
      const rec = existing ? await store.verify(existing) : null;
      if (stillGood(rec, [role])) {
        fs.chmodSync(keyFile, 0o600);
        services.push({ service: svc, keyId: rec.keyId, keyFile, created: false });
      } else {
        const created = await store.create({ name: `${svc}-service`, roles: [role], expiresAt: expiry(opts.expiresDays), createdBy: 'cli:service-keys' });
        writePrivate(keyFile, `${created.key}\n`);
        services.push({ service: svc, keyId: created.keyId, keyFile, created: true });
      }
      lines.push(`${svc.toUpperCase()}_STRATA_API_KEY_FILE=${keyFile}`);
    }
    const prevOperator = previous['STRATA_API_KEY'];
    const rec = prevOperator ? await store.verify(prevOperator) : null;
    let operator: EnsureServiceKeysResult['operator'];
    if (stillGood(rec, opts.operatorRoles) && prevOperator) {
      operator = { keyId: rec.keyId, expiresAt: rec.expiresAt, created: false };
      lines.push(`STRATA_API_KEY=${prevOperator}`);
    } else {
      const created = await store.create({ name: 'cli-operator', roles: [...opts.operatorRoles], expiresAt: expiry(opts.expiresDays), createdBy: 'cli:service-keys' });
      operator = { keyId: created.keyId, expiresAt: created.expiresAt, created: true, key: created.key };
      lines.push(`STRATA_API_KEY=${created.key}`);
    }
    return { out: opts.out, dir, services, operator };
  });
  writePrivate(opts.out, `${lines.join('\n')}\n`);
  return result;
}
