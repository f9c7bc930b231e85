/**
 * @module @strata/shared/auth
 *
 * Authentication and authorization core shared by every service (the NestJS guard, audit
 * interceptor and endpoints live in `@strata/shared/nest-platform`): roles and the permission
 * matrix, `@RequirePermission`, the API key format, JWT verification, strict names, audit record
 * shapes. Pure: the SQL stores are in `@strata/shared/data-access-auth`.
 * See docs/security.md.
 */
export * from './lib/permissions';
export * from './lib/decorators';
export * from './lib/route-inventory';
export * from './lib/route-permissions';
export * from './lib/names';
export * from './lib/api-keys';
export * from './lib/auth-config';
export * from './lib/jwt';
export * from './lib/audit-store';
export * from './lib/transport-config';
export * from './lib/actor';
