import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { AuthConfig } from './auth-config';
import type { Principal } from './permissions';

/** Only asymmetric algorithms: an HS256 token signed with a public key is refused. */
export const JWT_ALGORITHMS = ['RS256', 'ES256'] as const;

const claimAt = (payload: JWTPayload, dotted: string): unknown =>
  dotted.split('.').reduce<unknown>((acc, k) => (acc && typeof acc === 'object' ? (acc as Record<string, unknown>)[k] : undefined), payload);

const stringList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? v.split(/[ ,]+/).filter(Boolean) : []);

/**
 * Verifies bearer JWTs against the issuer's JWKS (OIDC): signature (RS256/ES256 only), `iss`,
 * `aud` (when configured), `exp` and `nbf` (with clock tolerance). Keys come from
 * `createRemoteJWKSet`: cached, and re-fetched when a token names an unknown `kid`, so the
 * issuer can rotate keys without a restart.
 */
export class JwtVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  constructor(private readonly config: NonNullable<AuthConfig['jwt']>) {
    this.jwks = createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: 5_000, cacheMaxAge: 10 * 60_000 });
  }

  /**
   * The principal of a valid token.
   * @throws Error (jose's JOSEError subclasses) when invalid: expired, not yet valid, bad signature, wrong iss/aud/alg
   */
  async verify(token: string): Promise<Principal> {
    const { payload } = await jwtVerify(token, this.jwks, {
      issuer: this.config.issuer,
      audience: this.config.audience,
      algorithms: [...JWT_ALGORITHMS],
      clockTolerance: this.config.clockToleranceSec,
      requiredClaims: ['sub', 'exp'],
    });
    const projects = claimAt(payload, this.config.projectsClaim);
    return {
      id: `jwt:${payload.sub}`,
      name: typeof payload['preferred_username'] === 'string' ? payload['preferred_username'] : String(payload.sub),
      via: 'jwt',
      roles: stringList(claimAt(payload, this.config.rolesClaim)),
      projects: projects === undefined ? null : stringList(projects),
    };
  }
}
