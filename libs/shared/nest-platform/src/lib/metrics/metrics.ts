import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Histogram, type Registry, collectDefaultMetrics, register as defaultRegistry } from 'prom-client';
import { METRICS_REGISTRY } from '../platform.constants';
import { Public } from '@strata/shared/auth';

/**
 * The process-wide Prometheus registry. Libraries (messaging, serving, monitoring) register
 * their metrics on prom-client's default registry; the platform serves it on `/metrics`.
 * Default process metrics (CPU seconds, resident memory, event-loop lag, GC) are collected once.
 */
let defaultsCollected = false;
export function getMetricsRegistry(): Registry {
  if (!defaultsCollected) {
    collectDefaultMetrics({ register: defaultRegistry });
    defaultsCollected = true;
  }
  return defaultRegistry;
}

/** Returns the metric registered under `name`, or creates it (safe under repeated module init). */
export function getOrCreateHistogram(name: string, help: string, labelNames: string[], buckets?: number[]): Histogram<string> {
  const existing = defaultRegistry.getSingleMetric(name);
  if (existing) return existing as Histogram<string>;
  return new Histogram({ name, help, labelNames, ...(buckets ? { buckets } : {}) });
}

/** `GET /metrics`: Prometheus text exposition format 0.0.4. */
@ApiExcludeController()
@Controller()
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @Public()
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * Records `http_server_request_duration_seconds{method,route,status_code}` (OpenTelemetry's
 * HTTP semantic-convention name, base unit seconds) for every request, from a Fastify
 * `onResponse` hook. `route` is the matched route pattern (`/v2/models/:model/infer`), never
 * the raw URL, so label cardinality stays bounded; unmatched requests are labelled `unmatched`.
 */
export function registerHttpMetrics(fastify: FastifyInstance): void {
  const histogram = getOrCreateHistogram(
    'http_server_request_duration_seconds',
    'Duration of HTTP server requests in seconds',
    ['method', 'route', 'status_code'],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    histogram.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
}
