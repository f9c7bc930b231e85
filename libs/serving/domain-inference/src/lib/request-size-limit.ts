import { Transform, type Readable } from 'node:stream';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { SERVING_OPTIONS, type ServingOptions } from './serving.constants';

/** Default largest request body (bytes) when `SERVING_MAX_BODY_BYTES` is not set: 10 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** 413 error naming the limit (`statusCode` is honoured by Fastify and the platform's error filter). */
export class PayloadTooLargeError extends Error {
  readonly statusCode = 413;
  readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(limit: number, received: string) {
    super(`Request body ${received} exceeds the limit of ${limit} bytes (${(limit / 1024 / 1024).toFixed(1)} MiB, SERVING_MAX_BODY_BYTES)`);
  }
}

/**
 * Refuses request bodies larger than `maxBodyBytes` with 413 and an error naming the limit,
 * before anything is parsed, validated, predicted or logged:
 * - `Content-Length` above the limit → refused in `onRequest`, without reading the body;
 * - chunked bodies → counted while streaming (`preParsing`); the first byte past the limit
 *   aborts the parse with the same 413.
 * (Fastify's own `bodyLimit` stays as a backstop; its message does not name the limit.)
 * Also reads bodies with a missing or non-JSON media type as JSON (OIP clients such as
 * tritonclient[http] send none); the binary tensor extension is refused with 400.
 */
@Injectable()
export class RequestSizeLimit implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(SERVING_OPTIONS) private readonly options: Pick<ServingOptions, 'maxBodyBytes'>,
  ) {}

  /** Registers the hooks on the Fastify instance (before it starts listening). */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify || typeof fastify.addHook !== 'function') return;
    const limit = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    fastify.addHook('onRequest', (request, _reply, done) => {
      const length = Number(request.headers['content-length']);
      if (Number.isFinite(length) && length > limit) {
        done(new PayloadTooLargeError(limit, `of ${length} bytes`));
        return;
      }
      done();
    });
    // OIP clients (tritonclient[http]) POST JSON without a Content-Type: read any other or
    // missing media type as JSON. The binary tensor extension is refused with a clear 400.
    fastify.addContentTypeParser('*', { parseAs: 'string', bodyLimit: limit }, (request, body, done) => {
      if (request.headers['inference-header-content-length'] !== undefined) {
        done(Object.assign(new Error('Binary tensor data (Inference-Header-Content-Length) is not supported: send JSON tensors (binary_data=False)'), { statusCode: 400 }), undefined);
        return;
      }
      const text = String(body);
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      try {
        done(null, JSON.parse(text));
      } catch (err) {
        done(Object.assign(new Error(`Request body is not valid JSON: ${(err as Error).message}`), { statusCode: 400 }), undefined);
      }
    });
    fastify.addHook('preParsing', (request, _reply, payload, done) => {
      if (request.headers['transfer-encoding'] === undefined) {
        done(null, payload); // a Content-Length body was checked in onRequest
        return;
      }
      let received = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          received += chunk.length;
          if (received > limit) cb(new PayloadTooLargeError(limit, `of more than ${limit} bytes (chunked)`));
          else cb(null, chunk);
        },
      });
      done(null, (payload as Readable).pipe(counter));
    });
  }
}
