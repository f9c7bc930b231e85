import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Experiment, MetricPoint, Run, RunArtifact } from '@strata/registry/data-access';
import { Sha256, Uri } from '@strata/contracts';
import { ZodApiBody, parseWith } from '@strata/shared/nest-platform';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { MetricValueInput, parsePage, resolveActor } from './registry.schemas';
import { TrackingService } from './tracking.service';
import { RequirePermission } from '@strata/shared/auth';

const ACTOR_HEADER = 'x-strata-actor';
const Key = z.string().min(1).max(250);

/** Body of `POST /experiments`. */
export const CreateExperimentBody = z.object({
  name: z.string().min(1).max(500),
  artifactLocation: Uri.optional(),
  tags: z.record(Key, z.string().max(5000)).default({}),
});

/** Body of `POST /runs`. */
export const CreateRunBody = z
  .object({
    experimentId: z.string().regex(/^\d{1,18}$/).optional(),
    experimentName: z.string().min(1).max(500).optional(),
    runName: z.string().min(1).max(250).optional(),
    /** Who triggered the run; default: `X-Strata-Actor`, else `anonymous`. */
    triggeredBy: z.string().min(1).max(256).optional(),
    /** epoch ms; default now. */
    startTime: z.number().int().nonnegative().optional(),
    tags: z.record(Key, z.string().max(5000)).default({}),
    params: z.record(Key, z.string().max(6000)).default({}),
  })
  .refine((b) => b.experimentId === undefined || b.experimentName === undefined, { message: 'give experimentId or experimentName, not both' });

/** Body of `POST /runs/{id}/log-batch`: metric points (value may be "NaN"/"Infinity"/"-Infinity"), params, tags. */
export const LogBatchBody = z.object({
  metrics: z
    .array(z.object({ key: Key, value: MetricValueInput, step: z.number().int().default(0), timestamp: z.number().int().nonnegative().optional() }))
    .max(1000)
    .default([]),
  params: z.record(Key, z.string().max(6000)).default({}),
  tags: z.record(Key, z.string().max(5000)).default({}),
});

/** Body of `PATCH /runs/{id}`. */
export const UpdateRunBody = z.object({
  status: z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']).optional(),
  endTime: z.number().int().nonnegative().nullable().optional(),
  runName: z.string().min(1).max(250).optional(),
});

/** Body of `POST /runs/{id}/log`: text appended to the run's log. */
export const AppendLogBody = z.object({ text: z.string().max(1_000_000) });

/** Body of `POST /runs/{id}/artifacts`: an artifact produced by the run. */
export const RecordArtifactBody = z.object({
  path: z.string().min(1).max(1024).regex(/^[^/].*$/, 'must be relative'),
  uri: Uri,
  sha256: Sha256.nullable().default(null),
  sizeBytes: z.number().int().nonnegative().nullable().default(null),
});

/** Body of `POST /runs/search`. */
export const SearchRunsBody = z.object({
  experimentIds: z.array(z.string()).min(1),
  filter: z.string().max(10000).optional(),
  orderBy: z.array(z.string()).optional(),
  viewType: z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']).optional(),
  limit: z.number().int().min(1).max(10000).default(1000),
  pageToken: z.string().regex(/^\d{1,9}$/).optional(),
});

/**
 * Strata-native experiment tracking API: `/experiments` and `/runs` (same store as the MLflow
 * endpoints). Errors `{error, code, details?}`: 400 naming each bad field, 404 naming the
 * experiment/run, 409 when an experiment name is taken.
 */
@ApiTags('tracking')
@Controller()
export class TrackingController {
  constructor(private readonly tracking: TrackingService) {}

  /** `POST /experiments {name, artifactLocation?, tags?}` → 201 `Experiment`; 409 name taken. */
  @Post('experiments')
  @ZodApiBody(CreateExperimentBody, 'New experiment')
  @ApiOperation({ summary: 'Create an experiment' })
  @RequirePermission('models', 'write')
  async createExperiment(@Body() body: unknown, @Headers(ACTOR_HEADER) actor: string | undefined): Promise<Experiment> {
    const b = parseWith(CreateExperimentBody, body);
    return this.tracking.createExperiment(b.name, b.artifactLocation, b.tags, resolveActor(actor));
  }

  /** `GET /experiments?filter=&limit=&pageToken=` → `{experiments, nextPageToken?}` (MLflow filter syntax on name/tags). */
  @Get('experiments')
  @ApiOperation({ summary: 'List/search experiments' })
  @RequirePermission('models', 'read')
  async listExperiments(@Query() q: Record<string, string | undefined>): Promise<{ experiments: Experiment[]; nextPageToken?: string }> {
    const p = parsePage({ limit: q['limit'], pageToken: q['pageToken'] });
    const rows = await this.tracking.searchExperiments({ filter: q['filter'], viewType: q['viewType'], limit: p.limit + 1, offset: p.offset });
    return { experiments: rows.slice(0, p.limit), ...(rows.length > p.limit ? { nextPageToken: String(p.offset + p.limit) } : {}) };
  }

  /** `GET /experiments/{id}` → `Experiment`; 404. */
  @Get('experiments/:id')
  @ApiOperation({ summary: 'One experiment' })
  @RequirePermission('models', 'read')
  getExperiment(@Param('id') id: string): Promise<Experiment> {
    return this.tracking.getExperiment(id);
  }

  /** `POST /runs {experimentId | experimentName, runName?, triggeredBy?, startTime?, tags?, params?}` → 201 `Run` (RUNNING). */
  @Post('runs')
  @ZodApiBody(CreateRunBody, 'New run')
  @ApiOperation({ summary: 'Start a run' })
  @RequirePermission('models', 'write')
  async createRun(@Body() body: unknown, @Headers(ACTOR_HEADER) actor: string | undefined): Promise<Run> {
    const b = parseWith(CreateRunBody, body);
    const experimentId = b.experimentName ? (await this.tracking.getExperimentByName(b.experimentName)).experimentId : (b.experimentId ?? '0');
    return this.tracking.createRun({
      experimentId,
      ...(b.runName ? { runName: b.runName } : {}),
      userId: b.triggeredBy ?? resolveActor(actor),
      ...(b.startTime !== undefined ? { startTime: b.startTime } : {}),
      tags: b.tags,
      params: b.params,
    });
  }

  /** `GET /runs/{id}` → `Run` (params, tags, latest metrics, artifacts recorded, status, start/end, userId); 404. */
  @Get('runs/:id')
  @ApiOperation({ summary: 'One run' })
  @RequirePermission('models', 'read')
  getRun(@Param('id') id: string): Promise<Run> {
    return this.tracking.getRun(id);
  }

  /** `PATCH /runs/{id} {status?, endTime?, runName?}` → `Run`; 404. */
  @Patch('runs/:id')
  @ZodApiBody(UpdateRunBody, 'Status / end time / name')
  @ApiOperation({ summary: 'Update a run' })
  @RequirePermission('models', 'write')
  updateRun(@Param('id') id: string, @Body() body: unknown): Promise<Run> {
    const b = parseWith(UpdateRunBody, body);
    return this.tracking.updateRun(id, { ...(b.status ? { status: b.status } : {}), ...(b.endTime !== undefined ? { endTime: b.endTime } : {}), ...(b.runName ? { runName: b.runName } : {}) });
  }

  /** `POST /runs/{id}/log-batch {metrics: [{key, value, step?, timestamp?}], params: {k: v}, tags: {k: v}}` → 200 `Run`; 400 changed param. */
  @Post('runs/:id/log-batch')
  @HttpCode(200)
  @ZodApiBody(LogBatchBody, 'Metrics (step series), params, tags')
  @ApiOperation({ summary: 'Log metrics, params and tags (atomic)' })
  @RequirePermission('models', 'write')
  async logBatch(@Param('id') id: string, @Body() body: unknown): Promise<Run> {
    const b = parseWith(LogBatchBody, body);
    const now = Date.now();
    await this.tracking.logBatch(id, {
      metrics: b.metrics.map((m) => ({ key: m.key, value: m.value, step: m.step, timestamp: m.timestamp ?? now })),
      params: Object.entries(b.params).map(([key, value]) => ({ key, value })),
      tags: Object.entries(b.tags).map(([key, value]) => ({ key, value })),
    });
    return this.tracking.getRun(id);
  }

  /** `GET /runs/{id}/metrics/{key}/history?limit=&pageToken=` → `MetricPoint[]` by step then timestamp; 404 run. */
  @Get('runs/:id/metrics/:key/history')
  @ApiOperation({ summary: 'Every point of a metric' })
  @RequirePermission('models', 'read')
  metricHistory(@Param('id') id: string, @Param('key') key: string, @Query() q: Record<string, string | undefined>): Promise<MetricPoint[]> {
    return this.tracking.metricHistory(id, key, parsePage({ limit: q['limit'] ?? '1000', pageToken: q['pageToken'] }));
  }

  /** `POST /runs/{id}/log {text}` → 204: appends to the run's log (stdout/stderr of a trainer). */
  @Post('runs/:id/log')
  @HttpCode(204)
  @ZodApiBody(AppendLogBody, 'Text to append')
  @ApiOperation({ summary: "Append to a run's log" })
  @RequirePermission('models', 'write')
  async appendLog(@Param('id') id: string, @Body() body: unknown): Promise<void> {
    await this.tracking.appendLog(id, parseWith(AppendLogBody, body).text);
  }

  /** `GET /runs/{id}/log` → `text/plain` log of the run; 404. */
  @Get('runs/:id/log')
  @ApiOperation({ summary: "A run's log (text/plain)" })
  @RequirePermission('models', 'read')
  async getLog(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const text = await this.tracking.getLog(id);
    await reply.type('text/plain; charset=utf-8').send(text);
  }

  /** `POST /runs/{id}/artifacts {path, uri, sha256?, sizeBytes?}` → 201 `RunArtifact[]` (all artifacts of the run). */
  @Post('runs/:id/artifacts')
  @ZodApiBody(RecordArtifactBody, 'An artifact of the run')
  @ApiOperation({ summary: 'Record an artifact of a run' })
  @RequirePermission('models', 'write')
  recordArtifact(@Param('id') id: string, @Body() body: unknown): Promise<RunArtifact[]> {
    return this.tracking.recordArtifact(id, parseWith(RecordArtifactBody, body));
  }

  /** `GET /runs/{id}/artifacts` → `RunArtifact[]`: recorded ones plus files under the run's artifact URI. */
  @Get('runs/:id/artifacts')
  @ApiOperation({ summary: 'Artifacts of a run' })
  @RequirePermission('models', 'read')
  listArtifacts(@Param('id') id: string): Promise<RunArtifact[]> {
    return this.tracking.listArtifacts(id);
  }

  /** `POST /runs/search {experimentIds, filter?, orderBy?, viewType?, limit?, pageToken?}` → `{runs, nextPageToken?}` (MLflow filter syntax). */
  @Post('runs/search')
  @HttpCode(200)
  @ZodApiBody(SearchRunsBody, 'Search')
  @ApiOperation({ summary: 'Search runs' })
  @RequirePermission('models', 'read')
  async searchRuns(@Body() body: unknown): Promise<{ runs: Run[]; nextPageToken?: string }> {
    const b = parseWith(SearchRunsBody, body);
    const offset = b.pageToken ? Number(b.pageToken) : 0;
    const rows = await this.tracking.searchRuns({ experimentIds: b.experimentIds, filter: b.filter, orderBy: b.orderBy, viewType: b.viewType, limit: b.limit + 1, offset });
    return { runs: rows.slice(0, b.limit), ...(rows.length > b.limit ? { nextPageToken: String(offset + b.limit) } : {}) };
  }
}
