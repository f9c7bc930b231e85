import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { toErrorResponse } from '@strata/shared/nest-platform';
import type { FastifyReply } from 'fastify';

/** Feast's error detail (`FeastError.to_error_detail`, feast/errors.py). */
export interface FeastErrorDetail {
  module: string;
  class: string;
  message: string;
}

/** The Feast exception class a Feast client raises for an HTTP status of a Feast-only route. */
export function feastErrorClassFor(status: number): string {
  if (status === 404) return 'FeatureViewNotFoundException';
  if (status === 401 || status === 403) return 'FeastPermissionError';
  return 'FeastError';
}

/**
 * Answers errors in the shape of Feast's feature server (feast/feature_server.py
 * `rest_exception_handler`): the status code, and as body the JSON string (a JSON document
 * encoded again as a JSON string) of `{module, class, message}`. Feast's HTTP client
 * (feast/rest_error_handler.py) decodes it with `FeastError.from_error_detail` and raises that
 * exception class with Strata's message: 404 → `feast.errors.FeatureViewNotFoundException`,
 * 401/403 → `FeastPermissionError`, anything else (400 bad rows, 503 store down) → `FeastError`.
 * Used on the routes only Feast clients call (`/write-to-online-store`).
 */
@Catch()
export class FeastErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('FeastError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = toErrorResponse(exception);
    if (status >= 500) this.logger.error({ err: exception }, body.error);
    const detail: FeastErrorDetail = { module: 'feast.errors', class: feastErrorClassFor(status), message: body.error };
    void reply.status(status).header('content-type', 'application/json').send(JSON.stringify(JSON.stringify(detail)));
  }
}
