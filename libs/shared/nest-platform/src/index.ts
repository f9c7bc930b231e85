/**
 * @module @strata/shared/nest-platform
 *
 * What every Strata NestJS service shares. An app's `main.ts`:
 *
 * ```ts
 * runMain('registry', async () => {
 *   const config = loadRegistryConfig();
 *   await bootstrapService(AppModule.forConfig(config), { name: 'registry', port: config.REGISTRY_PORT, ... });
 * });
 * ```
 * and its `AppModule.forConfig(config)` returns `serviceAppModule({ module, identity, env, database, messaging, imports })`
 * (platform + messaging + the service's domain modules).
 */
export * from './lib/platform.constants';
export * from './lib/platform.module';
export * from './lib/service-app-module';
export * from './lib/bootstrap';
export * from './lib/run-service';
export * from './lib/health/readiness-check';
export * from './lib/health/readiness.registry';
export * from './lib/health/health.controller';
export * from './lib/metrics/metrics';
export * from './lib/database/database.service';
export * from './lib/errors/app-error.filter';
export * from './lib/http/zod-body';
export * from './lib/http/storable-input';
export * from './lib/http/fast-routes';
export * from './lib/logging/logging';
export * from './lib/platform-config';
export * from './lib/security/security.service';
export * from './lib/security/auth.guard';
export { RequestAuthorizer, actionOf, type RouteAuth } from './lib/security/request-authorizer';
export * from './lib/security/audit.interceptor';
export * from './lib/security/security.controller';
export * from './lib/security/request-context';
