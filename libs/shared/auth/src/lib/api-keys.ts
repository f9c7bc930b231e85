import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import { isKnownRole } from './permissions';
import { isSafeName } from './names';

/** Every Strata API key starts with this prefix (also how a bearer token is told from a JWT). */
export const API_KEY_PREFIX = 'sk_';
const KEY_RE = /^sk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/**
 * Hash stored for an API key: SHA-256 of the whole key string. Keys carry 256 random bits, so
 * a fast hash is the standard choice (brute force over 2^256 is moot; password hashes like
 * bcrypt/argon2 only matter for low-entropy secrets) and lookups stay O(1) by unique index.
 * Plaintext keys are never stored nor logged.
 */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Whether a string is shaped like a Strata API key (`sk_<12 id chars>_<43 base64url chars>`). */
export function looksLikeApiKey(value: string): boolean {
  return KEY_RE.test(value);
}

/** A new random key: `sk_<keyId>_<secret>`, 32 random bytes of secret (256 bits). */
export function generateApiKey(): { keyId: string; key: string } {
  const keyId = randomUUID().replace(/-/g, '').slice(0, 12);
  return { keyId, key: `${API_KEY_PREFIX}${keyId}_${randomBytes(32).toString('base64url')}` };
}

/** An API key as listed (never the key itself). */
export interface ApiKeyRecord {
  keyId: string;
  name: string;
  roles: string[];
  /** null = all projects. */
  projects: string[] | null;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  lastUsedAt: string | null;
}

/** What `ApiKeyStore.create` (@strata/shared/data-access-auth) returns: the record and the key, shown ONCE. */
export interface CreatedApiKey extends ApiKeyRecord {
  key: string;
}

/** Options of `ApiKeyStore.create` (@strata/shared/data-access-auth). */
export interface CreateApiKeyInput {
  name: string;
  roles: string[];
  projects?: string[] | null;
  /** Absolute expiry; null/undefined = never (discouraged; the CLI defaults to 90 days). */
  expiresAt?: Date | null;
  createdBy: string;
}

/** Validates create input; throws InvalidArgumentError (400) naming the field. */
export function validateCreateApiKeyInput(input: CreateApiKeyInput): void {
  if (!isSafeName(input.name)) throw new InvalidArgumentError(`API key name ${JSON.stringify(input.name)} must match the strict name pattern`, { details: { field: 'name' } });
  if (!Array.isArray(input.roles) || input.roles.length === 0) throw new InvalidArgumentError('roles must list at least one role', { details: { field: 'roles' } });
  const unknown = input.roles.filter((r) => !isKnownRole(r));
  if (unknown.length) throw new InvalidArgumentError(`unknown role(s): ${unknown.join(', ')}`, { details: { field: 'roles', unknown } });
  for (const p of input.projects ?? []) if (!isSafeName(p)) throw new InvalidArgumentError(`project ${JSON.stringify(p)} must match the strict name pattern`, { details: { field: 'projects' } });
  if (input.expiresAt && !(input.expiresAt.getTime() > Date.now())) throw new InvalidArgumentError('expiresAt must be in the future', { details: { field: 'expiresAt' } });
}
