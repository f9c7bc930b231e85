import { Controller, Delete, Get, type OnModuleInit, Put, Query, Req, Res, UseFilters } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '@strata/shared/auth';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { MlflowErrorFilter } from '../mlflow/mlflow-errors';
import { MlflowArtifactsService, type MlflowFileInfo } from './mlflow-artifacts.service';
import { ORIGINAL_CONTENT_TYPE_HEADER, installRawArtifactUploads } from './mlflow-artifacts.raw-body';

/** OpenAPI of the `<path>` wildcard (Fastify's `*`). */
const PathParam = ApiParam({ name: 'path', description: 'artifact path, relative, may contain /', schema: { type: 'string' } });

const wildcard = (req: FastifyRequest): string => String((req.params as Record<string, string | undefined>)['*'] ?? '');

/**
 * MLflow's artifact proxy (`mlflow server --serve-artifacts`), protocol of MLflow's
 * `HttpArtifactRepository` (mlflow/store/artifact/http_artifact_repo.py) and server handlers
 * (mlflow/server/handlers.py `_upload_artifact`, `_download_artifact`, `_list_artifacts_mlflow_artifacts`,
 * `_delete_artifact_mlflow_artifacts`). A client whose experiment's artifact location is
 * `mlflow-artifacts:/<p>` (Strata's default) sends its files here; they are stored in the
 * registry's artifact store under `mlflow/<p>` (see {@link MlflowArtifactsService}).
 *
 * - `PUT  artifacts/<path>` raw body (any Content-Type, streamed, never buffered whole) → 200 `{}`
 * - `GET  artifacts/<path>` → 200 the file's bytes (`application/octet-stream`, streamed); 404 when absent
 * - `GET  artifacts?path=<dir>` → 200 `{files: [{path, is_dir, file_size?}]}` (direct children, base names)
 * - `DELETE artifacts/<path>` → 200 `{}` (a directory recursively; absent is not an error)
 *
 * Not implemented: the multipart routes `mpu/create|complete|abort` (used by a client only when
 * `MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true`; not routed: 404).
 * Errors: MLflow's `{error_code, message}`: unsafe path (`..`, absolute, encoded dots) → 400
 * INVALID_PARAMETER_VALUE; missing file → 404 RESOURCE_DOES_NOT_EXIST.
 * Permissions: reads `models:read`, writes and deletes `models:write`, as the MLflow REST routes.
 */
@ApiTags('mlflow-compat')
@Controller('api/2.0/mlflow-artifacts')
@UseFilters(new MlflowErrorFilter())
export class MlflowArtifactsController implements OnModuleInit {
  constructor(
    private readonly artifacts: MlflowArtifactsService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter) installRawArtifactUploads(adapter.getInstance<FastifyInstance>());
  }

  @Put('artifacts/*')
  @RequirePermission('models', 'write')
  @ApiOperation({ summary: 'MLflow artifact proxy: upload a file (raw body, streamed)' })
  @PathParam
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  async upload(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const body = req.body instanceof Readable ? req.body : Readable.from([]);
    const original = req.headers[ORIGINAL_CONTENT_TYPE_HEADER];
    await this.artifacts.upload(wildcard(req), body, typeof original === 'string' ? original : undefined);
    return {};
  }

  @Get('artifacts')
  @RequirePermission('models', 'read')
  @ApiOperation({ summary: 'MLflow artifact proxy: list the direct children of a directory' })
  @ApiQuery({ name: 'path', required: false, description: 'directory to list (default: the root)', schema: { type: 'string' } })
  async list(@Query('path') path: unknown): Promise<{ files?: MlflowFileInfo[] }> {
    if (path !== undefined && typeof path !== 'string') throw new InvalidArgumentError("Invalid value for 'path': must be a single string");
    const files = await this.artifacts.list(path ?? '');
    return files.length ? { files } : {};
  }

  @Get('artifacts/*')
  @RequirePermission('models', 'read')
  @ApiOperation({ summary: 'MLflow artifact proxy: download a file (streamed)' })
  @PathParam
  async download(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { stream, sizeBytes } = await this.artifacts.download(wildcard(req));
    await reply.header('content-type', 'application/octet-stream').header('content-length', String(sizeBytes)).send(stream);
  }

  @Delete('artifacts/*')
  @RequirePermission('models', 'write')
  @ApiOperation({ summary: 'MLflow artifact proxy: delete a file or a directory (recursively)' })
  @PathParam
  async remove(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    await this.artifacts.delete(wildcard(req));
    return {};
  }
}
