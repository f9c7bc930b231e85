import { SetMetadata } from '@nestjs/common';
import type { Action, ResourceType } from './permissions';

/** Reflect-metadata key of {@link RequirePermission}. */
export const PERMISSION_METADATA = 'strata:auth:permission';
/** Reflect-metadata key of {@link Public}. */
export const PUBLIC_METADATA = 'strata:auth:public';
/** Reflect-metadata key of {@link BodyLimit}. */
export const BODY_LIMIT_METADATA = 'strata:http:body-limit';
/** Reflect-metadata key of {@link RateLimited}. */
export const RATE_LIMITED_METADATA = 'strata:auth:rate-limited';

/** What a route requires: a permission on a resource type, optionally scoped by a project. */
export interface RequiredPermission {
  resource: ResourceType;
  action: Action;
  /**
   * Route param (or query param) naming the project the request acts on, e.g. `'project'`.
   * When set, principals scoped to projects are allowed only for their projects.
   */
  projectParam?: string;
}

/**
 * Declares the permission a handler (or every handler of a controller) requires, e.g.
 * `@RequirePermission('models', 'write')`. A route with no declaration is DENIED when auth is
 * enforced (default-deny); see docs/security.md for the matrix.
 */
export const RequirePermission = (resource: ResourceType, action: Action, options: { projectParam?: string } = {}) =>
  SetMetadata(PERMISSION_METADATA, { resource, action, ...options } satisfies RequiredPermission);

/** Marks a route as reachable without credentials (health, metrics, OIP health). Use sparingly. */
export const Public = () => SetMetadata(PUBLIC_METADATA, true);

/**
 * Lowers the request body limit of one route below the platform default
 * (`STRATA_HTTP_BODY_LIMIT_BYTES`); larger bodies are refused with 413 before the handler runs.
 * (Raising it above the platform default needs the default raised: Fastify parses first.)
 */
export const BodyLimit = (bytes: number) => SetMetadata(BODY_LIMIT_METADATA, bytes);

/** Forces (true) or disables (false) per-principal rate limiting on a route (default: writes and `inference` are limited). */
export const RateLimited = (enabled = true) => SetMetadata(RATE_LIMITED_METADATA, enabled);
