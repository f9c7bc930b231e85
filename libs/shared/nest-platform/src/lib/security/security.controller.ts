import { Body, Controller, Delete, Get, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type ApiKeyRecord, type AuditQuery, type CreatedApiKey, type Permission, assertSafeName, permissionsOf, RequirePermission } from '@strata/shared/auth';
import { queryAuditLog } from '@strata/shared/data-access-auth';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseWith } from '../http/zod-body';
import { securityContextOf } from './request-context';
import { SecurityService } from './security.service';

const createKeyBody = z.object({
  name: z.string().min(1).max(128),
  roles: z.array(z.string().min(1).max(64)).min(1).max(16),
  projects: z.array(z.string().min(1).max(128)).max(64).nullable().optional(),
  /** Lifetime in days (1..3650, default 90). */
  expiresInDays: z.number().int().min(1).max(3650).default(90),
});

const auditQuery = z.object({
  actor: z.string().max(256).optional(),
  service: z.string().max(64).optional(),
  outcome: z.enum(['success', 'failure', 'refused']).optional(),
  action: z.string().max(128).optional(),
  resourcePrefix: z.string().max(2048).optional(),
  requestId: z.string().max(256).optional(),
  since: z.iso.datetime().optional(),
  until: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  before: z.coerce.number().int().min(1).optional(),
});

/**
 * Admin endpoints served by every service (same shared `auth`/`audit` schemas behind them):
 * API keys and the audit log. Permissions come from the platform route table (`keys:*`, `audit:read`).
 */
@ApiTags('security')
@Controller()
export class SecurityController {
  constructor(private readonly security: SecurityService) {}

  /**
   * `POST /auth/keys` body `{name, roles[], projects?, expiresInDays?=90}` → 201 with the key
   * (`key` shown ONCE, stored hashed) and its record. 400 names an unknown role or bad name.
   */
  @Post('auth/keys')
  @ApiOperation({ summary: 'Create an API key (shown once)' })
  @RequirePermission('keys', 'write')
  async createKey(@Body() body: unknown, @Req() request: FastifyRequest): Promise<CreatedApiKey> {
    const input = parseWith(createKeyBody, body, 'request body');
    const actor = securityContextOf(request)?.principal.id ?? 'anonymous';
    return (await this.security.keys()).create({
      name: input.name,
      roles: input.roles,
      projects: input.projects ?? null,
      expiresAt: new Date(Date.now() + input.expiresInDays * 86_400_000),
      createdBy: actor,
    });
  }

  /**
   * `GET /auth/whoami` → `{id, name, via, roles, projects, authEnforced, permissions}`: the caller's
   * principal and the permissions its roles grant (the platform matrix, `resource:action`), so a
   * front end can show only the actions the user may take. Under `STRATA_AUTH_MODE=off`
   * `authEnforced` is false and `permissions` null (every action is allowed). Requires
   * `models:read` (every human role but `inference` has it). Never returns a secret.
   */
  @Get('auth/whoami')
  @ApiOperation({ summary: 'The caller and the permissions its roles grant' })
  @RequirePermission('models', 'read')
  whoami(@Req() request: FastifyRequest): { id: string; name: string; via: string; roles: string[]; projects: string[] | null; authEnforced: boolean; permissions: Permission[] | null } {
    const p = securityContextOf(request)?.principal ?? { id: 'anonymous', name: 'anonymous', via: 'anonymous' as const, roles: [], projects: null };
    const authEnforced = this.security.config.mode !== 'off';
    const permissions = authEnforced ? [...new Set(p.roles.flatMap((r) => permissionsOf(r)))].sort() : null;
    return { id: p.id, name: p.name, via: p.via, roles: p.roles, projects: p.projects, authEnforced, permissions };
  }

  /** `GET /auth/keys` → `{keys: ApiKeyRecord[]}` newest first (never the secrets). */
  @Get('auth/keys')
  @ApiOperation({ summary: 'List API keys (no secrets)' })
  @RequirePermission('keys', 'read')
  async listKeys(): Promise<{ keys: ApiKeyRecord[] }> {
    return { keys: await (await this.security.keys()).list() };
  }

  /** `DELETE /auth/keys/{keyId}` → the revoked record (idempotent); 404 for an unknown id. */
  @Delete('auth/keys/:keyId')
  @ApiOperation({ summary: 'Revoke an API key' })
  @RequirePermission('keys', 'write')
  async revokeKey(@Param('keyId') keyId: string, @Req() request: FastifyRequest): Promise<ApiKeyRecord> {
    assertSafeName(keyId, 'path parameter keyId');
    return this.security.revokeKey(keyId, securityContextOf(request)?.principal.id ?? 'anonymous');
  }

  /**
   * `GET /audit-log?actor&service&outcome&action&resourcePrefix&requestId&since&until&limit&before`
   * → `{records, nextBefore?}` newest first (admins: `audit:read`).
   */
  @Get('audit-log')
  @ApiOperation({ summary: 'Query the append-only audit log' })
  @RequirePermission('audit', 'read')
  async auditLog(@Query() query: unknown): Promise<Awaited<ReturnType<typeof queryAuditLog>>> {
    const q: AuditQuery = parseWith(auditQuery, query, 'query string');
    await this.security.ensureSchemas();
    return queryAuditLog(this.security.dataSourceForQueries(), q);
  }
}
