import { pipeline, type Readable } from 'node:stream';
import { Body, Controller, Get, HttpCode, Inject, Logger, Param, Post, Put, Query, Req, Res, UnsupportedMediaTypeException } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ZodApiBody, parseWith } from '@strata/shared/nest-platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { datasetSpecSchema } from '../core/dataset-spec';
import { DATASETS_OPTIONS, UPLOAD_CONTENT_TYPES } from './datasets.constants';
import { registerFileBodySchema, resourceName, uploadQuerySchema, type DatasetDto, type DatasetVersionDto } from './datasets.dto';
import type { DatasetsModuleOptions } from './datasets.module-options';
import { DatasetsService } from './datasets.service';
import { progressStream } from './upload-progress';

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
    @Inject(DATASETS_OPTIONS) private readonly options: DatasetsModuleOptions,
  ) {}

  /** `GET /datasets` → `DatasetDto[]` (`{name, spec, createdAt, updatedAt}`), by name. */
  @Get()
  @ApiOperation({ summary: 'List datasets' })
  list(): Promise<DatasetDto[]> {
    return this.datasets.listDatasets();
  }

  /** `PUT /datasets/{name}` body: dataset spec (JSON form of dataset.yaml; `name` optional, must equal the path) → 200 `DatasetDto`. */
  @Put(':name')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create or replace a dataset spec' })
  @ZodApiBody(datasetSpecSchema, "dataset spec; `name` may be omitted (the path names the dataset)")
  put(@Param('name') name: string, @Body() body: unknown): Promise<DatasetDto> {
    return this.datasets.putDataset(parseWith(resourceName, name, 'path parameter name'), body);
  }

  /** `GET /datasets/{name}` → `DatasetDto`; 404 when unknown. */
  @Get(':name')
  get(@Param('name') name: string): Promise<DatasetDto> {
    return this.datasets.getDataset(name);
  }

  /** `GET /datasets/{name}/versions` → `DatasetVersionDto[]`, oldest first (`created` is false). */
  @Get(':name/versions')
  listVersions(@Param('name') name: string): Promise<DatasetVersionDto[]> {
    return this.datasets.listVersions(name);
  }

  /** `GET /datasets/{name}/versions/{versionId}` → `DatasetVersionDto`; 404 when unknown. */
  @Get(':name/versions/:versionId')
  getVersion(@Param('name') name: string, @Param('versionId') versionId: string): Promise<DatasetVersionDto> {
    return this.datasets.getVersion(name, versionId);
  }

  /**
   * `POST /datasets/{name}/versions`: either JSON `{sourceUri: "file:///abs.csv", format?, policy?}`
   * or a streamed body (`text/csv`, `application/x-ndjson`, `application/vnd.apache.parquet`,
   * `application/octet-stream` + `?format=`), with `?policy=reject|quarantine`. The stream is
   * never buffered in memory and is not subject to the JSON body limit (its own limit:
   * `maxUploadBytes`). → 201 new version / 200 identical content already ingested.
   */
  @Post(':name/versions')
  @ApiOperation({ summary: 'Register a file or upload a stream as a new dataset version (201 new, 200 identical content)' })
  @ApiParam({ name: 'name' })
  @ApiQuery({ name: 'policy', required: false, enum: ['reject', 'quarantine'] })
  @ApiQuery({ name: 'format', required: false, enum: ['csv', 'ndjson', 'parquet'] })
  @ApiConsumes('application/json', ...Object.keys(UPLOAD_CONTENT_TYPES))
  @ZodApiBody(registerFileBodySchema)
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
      result = await this.datasets.createVersion(name, { kind: 'file', sourceUri: body.sourceUri, ...(body.format ? { format: body.format } : {}) }, body.policy);
    } else if (contentType in UPLOAD_CONTENT_TYPES) {
      const query = parseWith(uploadQuerySchema, rawQuery ?? {}, 'query string');
      const format = query.format ?? UPLOAD_CONTENT_TYPES[contentType as keyof typeof UPLOAD_CONTENT_TYPES];
      const started = Date.now();
      const counter = progressStream({
        everyBytes: this.options.progressEveryBytes ?? 16 * 1024 * 1024,
        maxBytes: this.options.maxUploadBytes ?? 5 * 1024 * 1024 * 1024,
        onProgress: (p, done) =>
          this.logger.log(
            { dataset: name, bytes: p.bytes, lines: p.lines, ms: Date.now() - started, done },
            `dataset '${name}': upload ${done ? 'received' : 'in progress'}: ${p.bytes} bytes, ${p.lines} line(s)`,
          ),
      });
      const stream = pipeline(req.body as Readable, counter, () => undefined);
      result = await this.datasets.createVersion(name, { kind: 'stream', stream, ...(format ? { format } : {}) }, query.policy);
    } else {
      throw new UnsupportedMediaTypeException(`Unsupported Content-Type '${contentType}': use application/json or one of ${Object.keys(UPLOAD_CONTENT_TYPES).join(', ')}`);
    }
    void reply.status(result.created ? 201 : 200);
    return result;
  }
}
