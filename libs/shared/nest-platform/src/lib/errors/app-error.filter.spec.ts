import { BadRequestException } from '@nestjs/common';
import { ConflictError, NotFoundError, UnavailableError } from '@strata/shared/util-errors';
import { z } from 'zod';
import { toErrorResponse } from './app-error.filter';

describe(toErrorResponse.name, () => {
  it('maps domain errors to their status with a machine code', () => {
    expect(toErrorResponse(new NotFoundError("Model version 'taxi-tip@7' not found"))).toEqual({
      status: 404,
      body: { error: "Model version 'taxi-tip@7' not found", code: 'NOT_FOUND' },
    });
    expect(toErrorResponse(new ConflictError('alias champion points at it', { details: { alias: 'champion' } }))).toEqual({
      status: 409,
      body: { error: 'alias champion points at it', code: 'CONFLICT', details: { alias: 'champion' } },
    });
    expect(toErrorResponse(new UnavailableError('db down')).status).toBe(503);
  });

  it('turns zod errors into 400 naming every issue path', () => {
    const result = z.object({ version: z.number(), name: z.string() }).safeParse({ version: 'x' });
    const { status, body } = toErrorResponse(result.error);
    expect(status).toBe(400);
    expect(body.details).toEqual({ issues: ['version: Invalid input: expected number, received string', 'name: Invalid input: expected string, received undefined'] });
  });

  it('keeps framework 4xx statuses (bad JSON, body too large) and hides internals of unknown errors', () => {
    expect(toErrorResponse(new BadRequestException('Unexpected token')).status).toBe(400);
    expect(toErrorResponse(Object.assign(new Error('Request body is too large'), { statusCode: 413 }))).toEqual({
      status: 413,
      body: { error: 'Request body is too large', code: 'PAYLOAD_TOO_LARGE' },
    });
    expect(toErrorResponse(new Error('secret connection string in message'))).toEqual({ status: 500, body: { error: 'Internal server error', code: 'INTERNAL' } });
  });
});
