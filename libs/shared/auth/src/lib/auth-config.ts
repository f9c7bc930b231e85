import fs from 'node:fs';
import { z } from 'zod';

/**
 * >>> THE DEFAULT AUTH MODE OF EVERY SERVICE: 'enforce' (default-deny). <<<
 * Every route except /health/*, /metrics and /v2/health/* needs credentials (API key or JWT).
 * `STRATA_AUTH_MODE=off` opts a process out (component tests do: `startService` from
 * @strata/shared/testing defaults it to 'off' unless the caller sets it).
 */
export const DEFAULT_AUTH_MODE: AuthMode = 'enforce';

/** `enforce`: credentials required, default-deny; `off`: no checks (actor from X-Strata-Actor). */
export type AuthMode = 'enforce' | 'off';

/**
 * Reads a secret from `NAME` or from the file named by `NAME_FILE` (Docker/Kubernetes secrets;
 * trailing newline trimmed). Setting both is an error (ambiguous). Returns undefined when neither.
 * @throws Error naming the variable when the file cannot be read or both are set
 */
export function readSecret(env: Record<string, string | undefined>, name: string): string | undefined {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  if (direct !== undefined && direct !== '' && file) throw new Error(`${name} and ${name}_FILE are both set; set only one`);
  if (file) {
    try {
      return fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new Error(`${name}_FILE: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  return direct === '' ? undefined : direct;
}

const positiveInt = (d: number) => z.coerce.number().int().min(0).default(d);

/** Environment of the platform's auth, rate limits and audit (every service; all optional). */
export const authEnvSchema = z.object({
  /** `enforce` | `off` (default {@link DEFAULT_AUTH_MODE}). */
  STRATA_AUTH_MODE: z.enum(['enforce', 'off']).optional(),
  /** Expected `iss` of bearer JWTs. JWTs are refused when unset. */
  STRATA_AUTH_JWT_ISSUER: z.string().min(1).optional(),
  /** JWKS URL of the issuer (fetched and cached by jose; unknown `kid` → refetch, so rotation needs no restart). */
  STRATA_AUTH_JWT_JWKS_URL: z.url().optional(),
  /** Expected `aud` (comma-separated list accepted). */
  STRATA_AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  /** Claim holding the roles (dotted path, e.g. `realm_access.roles`; default `roles`). */
  STRATA_AUTH_JWT_ROLES_CLAIM: z.string().min(1).default('roles'),
  /** Claim holding the projects the subject is limited to (absent = all projects). */
  STRATA_AUTH_JWT_PROJECTS_CLAIM: z.string().min(1).default('strata_projects'),
  /** Allowed clock skew for exp/nbf in seconds. */
  STRATA_AUTH_JWT_CLOCK_TOLERANCE_S: positiveInt(30),
  /** How long a verified API key is cached in-process (ms). Revocation takes effect within this. 0 disables. */
  STRATA_AUTH_KEY_CACHE_MS: positiveInt(5000),
  /** Requests per window per principal on write and infer endpoints (0 disables). */
  STRATA_RATE_LIMIT_WRITE_PER_MIN: positiveInt(600),
  STRATA_RATE_LIMIT_INFER_PER_MIN: positiveInt(60_000),
  /** Audit mode; default: `on` when auth is enforced, else `off`. */
  STRATA_AUDIT_MODE: z.enum(['on', 'off']).optional(),
  /** Platform request body limit in bytes (413 above; `@BodyLimit` lowers it per route). */
  STRATA_HTTP_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
});

/** Parsed auth configuration. */
export interface AuthConfig {
  mode: AuthMode;
  jwt?: { issuer: string; jwksUrl: string; audience?: string[]; rolesClaim: string; projectsClaim: string; clockToleranceSec: number };
  keyCacheMs: number;
  rateLimit: { writePerMinute: number; inferPerMinute: number };
  audit: boolean;
  bodyLimitBytes: number;
}

/**
 * Reads the auth configuration from the environment.
 * @throws Error listing every invalid variable (and a JWT issuer without JWKS URL or vice versa)
 */
export function loadAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  const parsed = authEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid auth configuration:\n${parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  const e = parsed.data;
  if (Boolean(e.STRATA_AUTH_JWT_ISSUER) !== Boolean(e.STRATA_AUTH_JWT_JWKS_URL)) {
    throw new Error('Invalid auth configuration:\n  - STRATA_AUTH_JWT_ISSUER and STRATA_AUTH_JWT_JWKS_URL must be set together');
  }
  const mode = e.STRATA_AUTH_MODE ?? DEFAULT_AUTH_MODE;
  return {
    mode,
    jwt:
      e.STRATA_AUTH_JWT_ISSUER && e.STRATA_AUTH_JWT_JWKS_URL
        ? {
            issuer: e.STRATA_AUTH_JWT_ISSUER,
            jwksUrl: e.STRATA_AUTH_JWT_JWKS_URL,
            audience: e.STRATA_AUTH_JWT_AUDIENCE?.split(',').map((s) => s.trim()),
            rolesClaim: e.STRATA_AUTH_JWT_ROLES_CLAIM,
            projectsClaim: e.STRATA_AUTH_JWT_PROJECTS_CLAIM,
            clockToleranceSec: e.STRATA_AUTH_JWT_CLOCK_TOLERANCE_S,
          }
        : undefined,
    keyCacheMs: e.STRATA_AUTH_KEY_CACHE_MS,
    rateLimit: { writePerMinute: e.STRATA_RATE_LIMIT_WRITE_PER_MIN, inferPerMinute: e.STRATA_RATE_LIMIT_INFER_PER_MIN },
    audit: (e.STRATA_AUDIT_MODE ?? (mode === 'enforce' ? 'on' : 'off')) === 'on',
    bodyLimitBytes: e.STRATA_HTTP_BODY_LIMIT_BYTES,
  };
}
