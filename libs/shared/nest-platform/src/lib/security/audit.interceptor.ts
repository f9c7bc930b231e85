import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { newAuditRecord } from '@strata/shared/auth';
import type { FastifyRequest } from 'fastify';
import { type Observable, catchError, from, mergeMap, throwError } from 'rxjs';
import { toErrorResponse } from '../errors/app-error.filter';
import { SecurityService } from './security.service';
import { isMutation, routePattern, securityContextOf } from './request-context';

const SUMMARY_KEYS = ['name', 'modelName', 'version', 'alias', 'fromVersion', 'toVersion', 'runId', 'rolloutId', 'status', 'versionId', 'datasetName', 'id', 'keyId', 'roles', 'championVersion', 'challengerVersion'];

/** A small, secret-free summary of a handler result: identifying fields only (never `key`). */
export function summarize(value: unknown): Record<string, unknown> | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const out: Record<string, unknown> = {};
  for (const k of SUMMARY_KEYS) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined && (typeof v !== 'object' || Array.isArray(v))) out[k] = v;
  }
  return Object.keys(out).length ? out : null;
}

/**
 * Audits every mutation (a `*:write` route; without a declared permission: POST/PUT/PATCH/DELETE) after the handler:
 * outcome `success` with an `after` summary of the result, or `failure` with the error code.
 * Refusals by the guard are audited by the guard (interceptors do not run then).
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly security: SecurityService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !this.security.config.audit) return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const sec = securityContextOf(request);
    // Mutations = `*:write` routes (inference and POST-that-reads such as search are not audited
    // on success: one row per prediction would cost the hot path a transaction); routes without a
    // permission (auth off) fall back to the HTTP method.
    if (!sec || sec.action === 'public') return next.handle();
    const mutates = sec.action.endsWith(':write') || (sec.action === 'undeclared' && isMutation(request.method));
    if (!mutates) return next.handle();
    const httpCode = Reflect.getMetadata('__httpCode__', context.getHandler()) as number | undefined;
    const record = (outcome: 'success' | 'failure', status: number, reason: string | null, after: Record<string, unknown> | null) =>
      newAuditRecord({
        service: this.security.serviceName,
        actor: sec.principal.id,
        roles: sec.principal.roles,
        action: sec.action,
        route: `${request.method} ${routePattern(request)}`,
        resource: (request.url.split('?')[0] ?? request.url).slice(0, 2048),
        outcome,
        status,
        reason,
        requestId: request.id ? String(request.id) : null,
        before: null,
        after,
      });
    return next.handle().pipe(
      mergeMap((result: unknown) => from(this.security.audit(record('success', httpCode ?? (request.method === 'POST' ? 201 : 200), null, summarize(result))).then(() => result))),
      catchError((error: unknown) => {
        const { status, body } = toErrorResponse(error);
        return from(this.security.audit(record('failure', status, `${body.code}: ${body.error}`.slice(0, 1024), null))).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }
}
