import fs from 'node:fs';
import path from 'node:path';
import { type ApiKeyRecord, isKnownRole } from '@strata/shared/auth';
import { readCredentialsEnvFile } from '@strata/shared/data-access-strata-client';
import { readKeyFile, writePrivate } from './credential-files';
import { expiryIn, withKeyStore } from './key-store-session';

/** The six services; each gets its own `service:<name>` key. */
export const SERVICE_NAMES = ['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'] as const;

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
 * @throws Error when a role is unknown, the database refuses, or a file cannot be written
 */
export async function ensureServiceKeys(databaseUrl: string, opts: { out: string; expiresDays: number; renewDays: number; operatorRoles: readonly string[] }): Promise<EnsureServiceKeysResult> {
  for (const role of opts.operatorRoles) if (!isKnownRole(role)) throw new Error(`unknown operator role '${role}'`);
  const dir = path.join(path.dirname(opts.out), 'credentials');
  const previous = readCredentialsEnvFile(opts.out);
  const renewBefore = Date.now() + opts.renewDays * 86_400_000;
  const stillGood = (rec: ApiKeyRecord | null, roles: readonly string[]): rec is ApiKeyRecord =>
    rec !== null && roles.every((r) => rec.roles.includes(r)) && (rec.expiresAt === null || Date.parse(rec.expiresAt) > renewBefore);
  const lines: string[] = ['# Strata credentials written by `strata auth service-keys` (mode 600). Do not commit.'];
  const result = await withKeyStore(databaseUrl, async (store) => {
    const services: EnsureServiceKeysResult['services'] = [];
    for (const svc of SERVICE_NAMES) {
      const role = `service:${svc}`;
      if (!isKnownRole(role)) throw new Error(`no permissions are defined for ${role}`);
      const keyFile = path.join(dir, `${svc}.key`);
      const existing = readKeyFile(keyFile);
      const rec = existing ? await store.verify(existing) : null;
      if (stillGood(rec, [role])) {
        fs.chmodSync(keyFile, 0o600);
        services.push({ service: svc, keyId: rec.keyId, keyFile, created: false });
      } else {
        const created = await store.create({ name: `${svc}-service`, roles: [role], expiresAt: expiryIn(opts.expiresDays), createdBy: 'cli:service-keys' });
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
      const created = await store.create({ name: 'cli-operator', roles: [...opts.operatorRoles], expiresAt: expiryIn(opts.expiresDays), createdBy: 'cli:service-keys' });
      operator = { keyId: created.keyId, expiresAt: created.expiresAt, created: true, key: created.key };
      lines.push(`STRATA_API_KEY=${created.key}`);
    }
    return { out: opts.out, dir, services, operator };
  });
  writePrivate(opts.out, `${lines.join('\n')}\n`);
  return result;
}
