import { All, Controller, Inject, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONSOLE_OPTIONS, type ConsoleOptions } from './console-options';
import { observeProxyCall } from './console.metrics';
import { proxyCall } from './proxy';

/**
 * `ANY /api/{service}/{path}` → `{<SERVICE>_URL}/{path}` (query string kept): the console's
 * same-origin door to the six services. The user's own credential is forwarded (see
 * {@link proxyCall}); the console adds none. JSON request bodies only (another content type → 415);
 * file downloads (CSV, Parquet, bytes) stream back (`isStreamedContentType` in proxy.ts).
 * Errors: 404 unknown service, 502 service unreachable, 504 no answer within
 * `CONSOLE_PROXY_TIMEOUT_MS`; each body `{error, code, details: {service}}` names the service.
 * Each call is timed in `strata_console_proxy_request_duration_seconds` (see console.metrics.ts).
 */
@ApiTags('console')
@Controller('api')
export class ProxyController {
  constructor(@Inject(CONSOLE_OPTIONS) private readonly options: ConsoleOptions) {}

  @All(':service/*')
  @ApiOperation({ summary: "Proxies a call to a Strata service with the caller's own credential" })
  async proxy(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { service } = req.params as { service: string };
    const prefix = `/api/${service}`;
    const raw = req.url.startsWith(prefix) ? req.url.slice(prefix.length) : req.url;
    const body = req.body === undefined || req.body === null ? undefined : typeof req.body === 'string' || Buffer.isBuffer(req.body) ? req.body : JSON.stringify(req.body);
    const started = process.hrtime.bigint();
    const answer = await proxyCall({ service, method: req.method, path: raw || '/', headers: req.headers, body }, this.options.serviceUrls, this.options.proxyTimeoutMs);
    observeProxyCall(service, req.method, answer.status, Number(process.hrtime.bigint() - started) / 1e9);
    void reply.status(answer.status).headers(answer.headers).send(answer.body);
  }
}
