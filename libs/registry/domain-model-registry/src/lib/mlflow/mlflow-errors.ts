import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { toErrorResponse } from '@strata/shared/nest-platform';
import { AppError } from '@strata/shared/util-errors';
import type { FastifyReply } from 'fastify';

/** MLflow error body: `{error_code, message}`. */
export interface MlflowErrorBody {
  error_code: string;
  message: string;
}

/**
 * Maps errors of the MLflow endpoints to MLflow's shape `{error_code, message}`:
 * 404 → RESOURCE_DOES_NOT_EXIST (404); "already exists" conflicts → RESOURCE_ALREADY_EXISTS (400,
 * as MLflow); other 409 → INVALID_STATE (409); 400 → INVALID_PARAMETER_VALUE (400);
 * 422 → INVALID_STATE (422); 503 → TEMPORARILY_UNAVAILABLE; else INTERNAL_ERROR (500). The message is
 * MLflow's wording when the error carries one (`details.mlflowMessage`, e.g. `Registered Model with
 * name=X not found`), else Strata's.
 */
@Catch()
export class MlflowErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('MlflowError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = toErrorResponse(exception);
    const mlflowCode = exception instanceof AppError ? (exception.details?.['mlflowCode'] as string | undefined) : undefined;
    let code = 'INTERNAL_ERROR';
    let httpStatus = status;
    if (mlflowCode === 'RESOURCE_ALREADY_EXISTS') {
      code = mlflowCode;
      httpStatus = 400;
    } else if (mlflowCode) code = mlflowCode;
    else if (status === 404) code = 'RESOURCE_DOES_NOT_EXIST';
    else if (status === 400 || status === 413) code = 'INVALID_PARAMETER_VALUE';
    else if (status === 409 || status === 422) code = 'INVALID_STATE';
    else if (status === 503) code = 'TEMPORARILY_UNAVAILABLE';
    if (status >= 500) this.logger.error({ err: exception }, body.error);
    const mlflowMessage = exception instanceof AppError ? (exception.details?.['mlflowMessage'] as string | undefined) : undefined;
    const out: MlflowErrorBody = { error_code: code, message: mlflowMessage ?? body.error };
    void reply.status(httpStatus).send(out);
  }
}
