import { randomUUID } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import { Body, Controller, Get, HttpCode, Inject, Logger, Param, Post, Put, Query, Req, Res, UnsupportedMediaTypeException } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiProduces, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IngestionApi } from '@strata/contracts/api';
import { ZodApiBody, ZodApiResponse, parseWith } from '@strata/shared/nest-platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { datasetSpecSchema } from '../core/dataset-spec';
import { QUARANTINE_CONTENT_TYPE } from '../core/quarantine-export';
import { DATASETS_OPTIONS, UPLOAD_CONTENT_TYPES } from './datasets.constants';
import { quarantineQuerySchema, registerFileBodySchema, resourceName, uploadQuerySchema, type DatasetDto, type DatasetVersionDto } from './datasets.dto';
import type { DatasetsModuleOptions } from './datasets.module-options';
import { DatasetsService } from './datasets.service';
import { progressStream } from './upload-progress';
import { UploadTracker, type UploadStatus } from './upload-tracker';
import { RequirePermission } from '@strata/shared/auth';

/**
 * HTTP API of datasets (docs/service-apis.md § ingestion). Errors: 400 bad input (names the
 * field), 404 unknown dataset/version, 413 upload over the limit, 415 unsupported content type,
 * 422 validation failures under policy `reject` (`details.issues[]: {row, column, rule, message, value}`).
 */
@ApiTags('datasets')
@Controller('datasets')
export class DatasetsController {
  private readonly logger = new Logger(DatasetsController.name);

  constructor(
    private readonly datasets: DatasetsService,
    private readonly uploads: UploadTracker,
    @Inject(DATASETS_OPTIONS) private readonly options: DatasetsModuleOptions,
  ) {}

  /** `GET /datasets` → `DatasetDto[]` (`{name, spec, createdAt, updatedAt}`), by name. */
  @Get()
  @ApiOperation({ summary: 'List datasets' })
  @RequirePermission('datasets', 'read')
  list(): Promise<DatasetDto[]> {
    return this.datasets.listDatasets();
  }

  /** `PUT /datasets/{name}` body: dataset spec (JSON form of dataset.yaml; `name` optional, must equal the path) → 200 `DatasetDto`. */
  @Put(':name')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create or replace a dataset spec' })
  @ZodApiBody(datasetSpecSchema, "dataset spec; `name` may be omitted (the path names the dataset)")
  @RequirePermission('datasets', 'write')
  put(@Param('name') name: string, @Body() body: unknown): Promise<DatasetDto> {
    return this.datasets.putDataset(parseWith(resourceName, name, 'path parameter name'), body);
  }

  /** `GET /datasets/{name}` → `DatasetDto`; 404 when unknown. */
  @Get(':name')
  @RequirePermission('datasets', 'read')
  get(@Param('name') name: string): Promise<DatasetDto> {
    return this.datasets.getDataset(name);
  }

  /** `GET /datasets/{name}/versions` → `DatasetVersionDto[]`, oldest first (`created` is false). */
  @Get(':name/versions')
  @ZodApiResponse(IngestionApi.listDatasetVersions.response)
  @RequirePermission('datasets', 'read')
  listVersions(@Param('name') name: string): Promise<DatasetVersionDto[]> {
    return this.datasets.listVersions(name);
  }

  /** `GET /datasets/{name}/versions/{versionId}` → `DatasetVersionDto`; 404 when unknown. */
  @Get(':name/versions/:versionId')
  @ZodApiResponse(IngestionApi.getDatasetVersion.response)
  @RequirePermission('datasets', 'read')
  getVersion(@Param('name') name: string, @Param('versionId') versionId: string): Promise<DatasetVersionDto> {
    return this.datasets.getVersion(name, versionId);
  }

  /**
   * `GET /datasets/{name}/versions/{versionId}/quarantine?format=csv|parquet` (default csv):
   * streams the rows set aside by validation, by source row number. CSV columns: `_row`
   * (1-based data row of the upload, header excluded), `_reasons` (`<column> [<rule>]:
   * <message>` joined by `; `), then the raw uploaded values of every declared column.
   * Parquet: the stored file (`_row`, `_issues: list<{column, rule, message}>`, raw columns).
   * Header `x-quarantine-row-count`. 400 bad `format`; 404 naming the missing dataset, version,
   * quarantine (no invalid rows) or lake file.
   */
  @Get(':name/versions/:versionId/quarantine')
  @ApiOperation({ summary: 'Download the quarantined rows of a version (CSV or Parquet) with their row numbers and reasons' })
  @ApiQuery({ name: 'format', required: false, enum: ['csv', 'parquet'] })
  @ApiProduces(QUARANTINE_CONTENT_TYPE.csv, QUARANTINE_CONTENT_TYPE.parquet)
  @RequirePermission('datasets', 'read')
  async downloadQuarantine(
    @Param('name') name: string,
    @Param('versionId') versionId: string,
    @Query() rawQuery: unknown,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { format } = parseWith(quarantineQuerySchema, rawQuery ?? {}, 'query string');
    const q = await this.datasets.openQuarantine(name, versionId, format);
    await reply
      .header('content-type', QUARANTINE_CONTENT_TYPE[format])
      .header('content-disposition', `attachment; filename="${q.fileName.replace(/"/g, '')}"`)
      .header('x-quarantine-row-count', String(q.rowCount))
      .send(q.stream);
  }

  /**
   * `GET /datasets/{name}/quarantines/{quarantineId}?format=csv|parquet` (default csv): the rows
   * set aside by an upload whose accepted rows were an existing version's (e.g. every row
   * invalid), named by its answer's `upload.quarantine.id`; columns as for a version's
   * quarantine. 400 bad id or `format`; 404 naming the dataset or the quarantine.
   */
  @Get(':name/quarantines/:quarantineId')
  @ApiOperation({ summary: "Download an upload's quarantined rows by quarantine id (uploads whose accepted rows were an existing version's)" })
  @ApiQuery({ name: 'format', required: false, enum: ['csv', 'parquet'] })
  @ApiProduces(QUARANTINE_CONTENT_TYPE.csv, QUARANTINE_CONTENT_TYPE.parquet)
  @RequirePermission('datasets', 'read')
  async downloadQuarantineById(@Param('name') name: string, @Param('quarantineId') quarantineId: string, @Query() rawQuery: unknown, @Res() reply: FastifyReply): Promise<void> {
    const { format } = parseWith(quarantineQuerySchema, rawQuery ?? {}, 'query string');
    const q = await this.datasets.openQuarantineById(name, quarantineId, format);
    await reply
      .header('content-type', QUARANTINE_CONTENT_TYPE[format])
      .header('content-disposition', `attachment; filename="${q.fileName.replace(/"/g, '')}"`)
      .send(q.stream);
  }

  /**
   * `POST /datasets/{name}/versions`: either JSON `{sourceUri: "file:///abs.csv", format?, policy?}`
   * or a streamed body (`text/csv`, `application/x-ndjson`, `application/vnd.apache.parquet`,
   * `application/octet-stream` + `?format=`), with `?policy=reject|quarantine`. The stream is
   * never buffered in memory and is not subject to the JSON body limit (its own limit:
   * `maxUploadBytes`). → 201 new version / 200 identical content already ingested.
   * Streamed uploads are tracked under `?uploadId=` (or a generated UUID, echoed in the
   * `x-upload-id` response header): `GET /uploads/{uploadId}` gives bytes and rows received
   * while the upload runs. 409 when an upload with that id is still running.
   */
  @Post(':name/versions')
  @ApiOperation({ summary: 'Register a file or upload a stream as a new dataset version (201 new, 200 identical content)' })
  @ApiParam({ name: 'name' })
  @ApiQuery({ name: 'policy', required: false, enum: ['reject', 'quarantine'] })
  @ApiQuery({ name: 'format', required: false, enum: ['csv', 'ndjson', 'parquet'] })
  @ApiQuery({ name: 'uploadId', required: false, description: 'id to poll at GET /uploads/{uploadId} while the upload runs' })
  @ApiConsumes('application/json', ...Object.keys(UPLOAD_CONTENT_TYPES))
  @ZodApiBody(registerFileBodySchema)
  @ZodApiResponse(IngestionApi.registerDatasetVersion.response, 201)
  @RequirePermission('datasets', 'write')
  async createVersion(
    @Param('name') name: string,
    @Req() req: FastifyRequest,
    @Query() rawQuery: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DatasetVersionDto> {
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    let result: DatasetVersionDto;
    if (contentType === 'application/json') {
      const body = parseWith(registerFileBodySchema, req.body);
      const kind = body.sourceUri.startsWith('s3://') ? 's3' : 'file';
      result = await this.datasets.createVersion(name, { kind, sourceUri: body.sourceUri, ...(body.format ? { format: body.format } : {}) }, body.policy);
    } else if (contentType in UPLOAD_CONTENT_TYPES) {
      const query = parseWith(uploadQuerySchema, rawQuery ?? {}, 'query string');
      const format = query.format ?? UPLOAD_CONTENT_TYPES[contentType as keyof typeof UPLOAD_CONTENT_TYPES];
      const started = Date.now();
      const uploadId = query.uploadId ?? randomUUID();
      const lengthHeader = Number(req.headers['content-length']);
      const totalBytes = Number.isSafeInteger(lengthHeader) && lengthHeader >= 0 ? lengthHeader : null;
      const headerLines = format === 'csv' ? 1 : 0;
      const counter = progressStream({
        everyBytes: this.options.progressEveryBytes ?? 16 * 1024 * 1024,
        maxBytes: this.options.maxUploadBytes ?? 5 * 1024 * 1024 * 1024,
        onProgress: (p, done) => {
          const rows = format === 'parquet' ? null : Math.max(0, p.lines - headerLines);
          const pct = totalBytes ? ` (${((100 * p.bytes) / totalBytes).toFixed(1)}%)` : '';
          this.logger.log(
            { dataset: name, uploadId, bytes: p.bytes, rows, totalBytes, ms: Date.now() - started, done },
            `dataset '${name}': upload ${uploadId} ${done ? 'received' : 'in progress'}: ${p.bytes} bytes${pct}, ${rows ?? '?'} row(s)`,
          );
          if (done) this.uploads.received(uploadId);
        },
      });
      this.uploads.start(uploadId, name, format ?? null, totalBytes, counter.progress);
      void reply.header('x-upload-id', uploadId);
      const stream = pipeline(req.body as Readable, counter, () => undefined);
      try {
        result = await this.datasets.createVersion(name, { kind: 'stream', stream, ...(format ? { format } : {}) }, query.policy, {
          onIngested: (v) => this.uploads.done(uploadId, { versionId: v.versionId, inputRowCount: v.validation.inputRowCount, rowsAccepted: v.rowCount, rowsInvalid: v.validation.invalidRowCount }),
        });
      } catch (e) {
        this.uploads.failed(uploadId, e);
        throw e;
      }
    } else {
      throw new UnsupportedMediaTypeException(`Unsupported Content-Type '${contentType}': use application/json or one of ${Object.keys(UPLOAD_CONTENT_TYPES).join(', ')}`);
    }
    void reply.status(result.created ? 201 : 200);
    return result;
  }
}

/**
 * Progress of streamed uploads (in memory, per replica). `GET /uploads` → `UploadStatus[]`
 * (running first); `GET /uploads/{id}` → `UploadStatus` (`state`: receiving | ingesting | done |
 * failed; `bytesReceived`, `rowsReceived`, `totalBytes`, `percent`, `versionId`, `rowsAccepted`,
 * `rowsInvalid`, `error`); 404 for an unknown id.
 */
@ApiTags('uploads')
@Controller('uploads')
export class UploadsController {
  constructor(private readonly uploads: UploadTracker) {}

  /** `GET /uploads` → running uploads (oldest first), then the last finished ones (most recent first). */
  @Get()
  @ApiOperation({ summary: 'List streamed uploads of this replica (running and recently finished)' })
  @ZodApiResponse(IngestionApi.listUploads.response)
  @RequirePermission('datasets', 'read')
  list(): UploadStatus[] {
    return this.uploads.list();
  }

  /** `GET /uploads/{id}` → `UploadStatus`; 404 when unknown. */
  @Get(':id')
  @ApiOperation({ summary: 'Progress of one streamed upload (bytes and rows received, state, resulting version)' })
  @ZodApiResponse(IngestionApi.getUpload.response)
  @RequirePermission('datasets', 'read')
  get(@Param('id') id: string): UploadStatus {
    return this.uploads.get(id);
  }
}
