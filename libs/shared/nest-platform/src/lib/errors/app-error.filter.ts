import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { AppError, HTTP_STATUS_BY_CODE, describeIssues } from '@strata/shared/util-errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';

/**
 * The HTTP body of every error: `error` says what went wrong and where, `code` is machine
 * readable, `details` optional (e.g. `issues: ["inputs.0.shape: expected ..."]`).
 * (`{"error": "..."}` is also the Open Inference Protocol v2 error shape.)
 */
export interface ErrorBody {
  error: string;
  code: string;
  details?: Record<string, unknown>;
  requestId?: string;
}

/**
 * Global exception filter: one mapping from errors to HTTP statuses.
 * - `AppError` → its code's status (HTTP_STATUS_BY_CODE)
 * - `ZodError` → 400 with the issue paths
 * - Nest/Fastify `HttpException` and Fastify errors with `statusCode` (413 body too large,
 *   400 bad JSON) → their status
 * - anything else → 500, logged with its stack; the body never leaks internals.
 */
@Catch()
export class AppErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const { status, body } = toErrorResponse(exception);
    body.requestId = String(request.id);
    if (status >= 500) {
      this.logger.error({ err: exception, requestId: request.id, url: request.url }, body.error);
    }
    void reply.status(status).send(body);
  }
}

/** Maps any thrown value to a status and {@link ErrorBody}. */
export function toErrorResponse(exception: unknown): { status: number; body: ErrorBody } {
  if (exception instanceof AppError) {
    return {
      status: HTTP_STATUS_BY_CODE[exception.code],
      body: { error: exception.message, code: exception.code, ...(exception.details ? { details: exception.details } : {}) },
    };
  }
  if (exception instanceof ZodError) {
    const issues = describeIssues(exception.issues);
    return { status: 400, body: { error: `Invalid request: ${issues.join('; ')}`, code: 'INVALID_ARGUMENT', details: { issues } } };
  }
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : String((response as { message?: unknown }).message ?? exception.message);
    return { status: exception.getStatus(), body: { error: message, code: codeForStatus(exception.getStatus()) } };
  }
  const statusCode = (exception as { statusCode?: unknown })?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, body: { error: (exception as Error).message, code: codeForStatus(statusCode) } };
  }
  return { status: 500, body: { error: 'Internal server error', code: 'INTERNAL' } };
}

function codeForStatus(status: number): string {
  const entry = Object.entries(HTTP_STATUS_BY_CODE).find(([, s]) => s === status);
  return entry ? entry[0] : status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
}
