import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { ReadinessReport } from '@strata/contracts/api';
import { SERVICE_IDENTITY, type ServiceIdentity } from '../platform.constants';
import { type ReadinessCheck, withTimeout } from './readiness-check';
import { ReadinessRegistry } from './readiness.registry';
import { Public } from '@strata/shared/auth';

/** Result of `/health/ready`: declared once, in the API contracts (`ReadinessReportSchema`). */
export type { ReadinessReport };

/**
 * `GET /health/live`: 200 while the process runs (liveness; never checks dependencies).
 * `GET /health/ready`: 200 when every dependency answered a real request, else 503 naming
 * the ones that are down (readiness).
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly registry: ReadinessRegistry,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process runs' })
  @Public()
  live(): { status: 'ok'; service: string; version: string } {
    return { status: 'ok', service: this.identity.name, version: this.identity.version };
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: 200 when PostgreSQL, Kafka (and Temporal for training) answer and every consumer group is joined; else 503 naming what is down',
  })
  @Public()
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = await runReadinessChecks(this.identity.name, this.registry.list());
    reply.status(report.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}

/** Runs all checks concurrently, each bounded by `timeoutMs`. */
export async function runReadinessChecks(service: string, checks: ReadinessCheck[], timeoutMs = 3000): Promise<ReadinessReport> {
  const entries = await Promise.all(
    checks.map(async (c) => {
      const started = Date.now();
      const details = (): { details?: Record<string, unknown> } => {
        try {
          return c.details ? { details: c.details() } : {};
        } catch {
          return {};
        }
      };
      try {
        await withTimeout(c.check(), timeoutMs, c.name);
        return [c.name, { status: 'up' as const, latencyMs: Date.now() - started, ...details() }] as const;
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        return [c.name, { status: 'down' as const, error, latencyMs: Date.now() - started, ...details() }] as const;
      }
    }),
  );
  const allUp = entries.every(([, r]) => r.status === 'up');
  return { status: allUp ? 'ok' : 'unavailable', service, checks: Object.fromEntries(entries) };
}
