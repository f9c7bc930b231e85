import { Injectable, Logger, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AuditRecordedV1 } from '@strata/contracts';
import { EventPublisher } from '@strata/messaging';
import { JwtVerifier, type ApiKeyRecord, type AuditRecord, type AuthConfig, type Principal, hashApiKey, looksLikeApiKey } from '@strata/shared/auth';
import { ApiKeyStore, insertAuditRecord, migrateSecuritySchemas } from '@strata/shared/data-access-auth';
import { AppError, ErrorCode } from '@strata/shared/util-errors';
import { DataSource } from 'typeorm';
import { DatabaseService } from '../database/database.service';

/** DI token of the parsed {@link AuthConfig}. */
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');

/** Most API-key decisions (positive or negative) cached per process; the oldest are evicted first. */
const KEY_CACHE_MAX_ENTRIES = 10_000;

/**
 * The platform's security state for one service: lazily migrated `auth`/`audit` schemas, the
 * API key store (with a short in-process cache of decisions keyed by the key's SHA-256, bounded,
 * `STRATA_AUTH_KEY_CACHE_MS`; a revocation through this process drops its entry at once), the JWT verifier and the audit writer (row in
 * `audit.audit_log` + `strata.platform.audit-recorded.v1` through the outbox, one transaction).
 */
@Injectable()
export class SecurityService {
  private readonly logger = new Logger('Security');
  private schemas?: Promise<void>;
  private readonly jwt?: JwtVerifier;
  private readonly keyCache = new Map<string, { principal: Principal | null; until: number }>();
  private publisher?: EventPublisher | null;

  constructor(
    readonly config: AuthConfig,
    readonly serviceName: string,
    private readonly database: DatabaseService,
    private readonly dataSource: DataSource,
    @Optional() private readonly moduleRef?: ModuleRef,
  ) {
    if (config.jwt) this.jwt = new JwtVerifier(config.jwt);
  }

  /** Creates/updates the `auth` and `audit` schemas once per process. */
  ensureSchemas(): Promise<void> {
    this.schemas ??= (async () => {
      await this.database.whenReady();
      await this.dataSource.transaction((manager) => migrateSecuritySchemas(manager));
    })().catch((e: unknown) => {
      this.schemas = undefined;
      throw e;
    });
    return this.schemas;
  }

  /** The service's DataSource once connected (throws 503 before). */
  dataSourceForQueries(): DataSource {
    return this.database.getDataSource();
  }

  /** The API key store on this service's connection pool (schemas ensured). */
  async keys(): Promise<ApiKeyStore> {
    await this.ensureSchemas();
    return new ApiKeyStore(this.database.getDataSource());
  }

  /**
   * Authenticates a credential: `sk_...` API keys (from `Authorization: Bearer` or `X-API-Key`)
   * or a JWT. Throws 401 (UNAUTHENTICATED) with a reason that never includes the credential.
   */
  async authenticate(credential: string): Promise<Principal> {
    if (looksLikeApiKey(credential) || credential.startsWith('sk_')) {
      const now = Date.now();
      const cacheKey = hashApiKey(credential).toString('base64');
      const hit = this.keyCache.get(cacheKey);
      let principal: Principal | null;
      if (hit && hit.until > now) principal = hit.principal;
      else {
        const record = await (await this.keys()).verify(credential);
        principal = record ? { id: `key:${record.keyId}`, name: record.name, via: 'api-key', roles: record.roles, projects: record.projects } : null;
        if (this.config.keyCacheMs > 0) {
          this.keyCache.delete(cacheKey);
          // Bounded: evict the oldest entries (Map keeps insertion order), never the whole cache at once.
          while (this.keyCache.size >= KEY_CACHE_MAX_ENTRIES) this.keyCache.delete(this.keyCache.keys().next().value as string);
          this.keyCache.set(cacheKey, { principal, until: now + this.config.keyCacheMs });
        }
      }
      if (!principal) throw new AppError(ErrorCode.UNAUTHENTICATED, 'API key is unknown, revoked or expired');
      return principal;
    }
    if (!this.jwt) throw new AppError(ErrorCode.UNAUTHENTICATED, 'bearer token is not an API key and no JWT issuer is configured');
    try {
      return await this.jwt.verify(credential);
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'ERR_JWT_INVALID';
      throw new AppError(ErrorCode.UNAUTHENTICATED, `bearer token refused (${code})`, { details: { reason: code } });
    }
  }

  /**
   * Revokes an API key (idempotent, see `ApiKeyStore.revoke`) and drops it from THIS process's
   * key cache at once. Other processes (other services, replicas) stop accepting it when their
   * cache entry expires: within `STRATA_AUTH_KEY_CACHE_MS` (default 5 s; there is no revocation event).
   * @throws NotFoundError when no key has that id
   */
  async revokeKey(keyId: string, revokedBy: string): Promise<ApiKeyRecord> {
    const record = await (await this.keys()).revoke(keyId, revokedBy);
    const id = `key:${keyId}`;
    for (const [k, v] of this.keyCache) if (v.principal?.id === id) this.keyCache.delete(k);
    return record;
  }

  /** Appends an audit record and publishes it through the outbox (same transaction). Never throws. */
  async audit(record: AuditRecord): Promise<void> {
    if (!this.config.audit) return;
    try {
      await this.ensureSchemas();
      const publisher = this.getPublisher();
      await this.database.getDataSource().transaction(async (manager) => {
        await insertAuditRecord(manager, record);
        if (publisher) await publisher.publish(manager, AuditRecordedV1, record);
      });
    } catch (e) {
      this.logger.error({ err: e instanceof Error ? e.message : String(e), auditId: record.auditId, action: record.action }, 'audit record could not be written');
    }
  }

  private getPublisher(): EventPublisher | null {
    if (this.publisher !== undefined) return this.publisher;
    try {
      this.publisher = this.moduleRef?.get(EventPublisher, { strict: false }) ?? null;
    } catch {
      this.publisher = null; // no MessagingModule: audit rows only
    }
    return this.publisher;
  }
}
