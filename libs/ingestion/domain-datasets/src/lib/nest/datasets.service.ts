import { promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DatasetVersionCreatedV1 } from '@strata/contracts';
import { DatasetEntity, DatasetVersionEntity } from '@strata/ingestion/data-access';
import { EventPublisher } from '@strata/messaging';
import { DatabaseService } from '@strata/shared/nest-platform';
import { AppError, IntegrityError, InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import type { EntityManager } from 'typeorm';
import { DatasetIngestor, type DatasetVersion } from '../core/dataset-ingestor.service';
import type { QuarantineFormat } from '../core/quarantine-export';
import { ObjectNotFoundError } from '@strata/shared/data-access-object-store';
import { parseDatasetSpec, type ColumnType, type DatasetFormat, type DatasetSpec, type ValidationPolicy } from '../core/dataset-spec';
import { DatasetIngestionError, DatasetSchemaMismatchError, DatasetSpecError, DatasetValidationError } from '../core/ingestion.errors';
import { DATASET_INGESTOR, S3_SOURCE_READER } from './datasets.constants';
import type { S3SourceReader } from './s3-source-reader';
import type { DatasetDto, DatasetVersionDto } from './datasets.dto';
import { hasNul, withoutNul } from './postgres-text';

/** Where the bytes of a new version come from. */
export type VersionSource =
  | { readonly kind: 'file'; readonly sourceUri: string; readonly format?: DatasetFormat }
  | { readonly kind: 's3'; readonly sourceUri: string; readonly format?: DatasetFormat }
  | { readonly kind: 'stream'; readonly stream: Readable; readonly format?: DatasetFormat };

const CONTRACT_TYPE: Record<ColumnType, 'int32' | 'int64' | 'float32' | 'float64' | 'string' | 'boolean' | 'date' | 'timestamp'> = {
  INT32: 'int32',
  INT64: 'int64',
  FLOAT32: 'float32',
  FLOAT64: 'float64',
  STRING: 'string',
  BOOL: 'boolean',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
};

/**
 * Datasets and their immutable versions: validates and writes the Parquet to the lake with
 * the {@link DatasetIngestor}, then records the version row and the
 * `DatasetVersionCreatedV1` outbox event in ONE transaction. Identical content gives the same
 * version id; re-registering it records nothing and announces nothing.
 */
@Injectable()
export class DatasetsService {
  private readonly logger = new Logger(DatasetsService.name);

  constructor(
    @Inject(DATASET_INGESTOR) private readonly ingestor: DatasetIngestor,
    private readonly database: DatabaseService,
    private readonly publisher: EventPublisher,
    @Inject(S3_SOURCE_READER) private readonly s3Sources: S3SourceReader,
  ) {}

  /**
   * Creates or replaces the spec of dataset `name`.
   * @throws InvalidArgumentError (400) when the spec is invalid or names another dataset.
   */
  async putDataset(name: string, body: unknown): Promise<DatasetDto> {
    const input = body !== null && typeof body === 'object' && !Array.isArray(body) ? { name, ...(body as Record<string, unknown>) } : body;
    if ((input as { name?: unknown })?.name !== name) {
      throw new InvalidArgumentError(`Invalid request body: name: '${String((input as { name?: unknown }).name)}' does not match the path's dataset '${name}'`);
    }
    const spec = this.mapErrors(() => parseDatasetSpec(input, 'request body'));
    await this.database
      .getDataSource()
      .getRepository(DatasetEntity)
      .createQueryBuilder()
      .insert()
      .values({ name, spec: spec as unknown as Record<string, unknown> } as never)
      .orUpdate(['spec', 'updated_at'], ['name'])
      .execute();
    return this.getDataset(name);
  }

  /** All datasets, by name. */
  async listDatasets(): Promise<DatasetDto[]> {
    const rows = await this.database.getDataSource().getRepository(DatasetEntity).find({ order: { name: 'ASC' } });
    return rows.map(toDatasetDto);
  }

  /** @throws NotFoundError (404) */
  async getDataset(name: string): Promise<DatasetDto> {
    return toDatasetDto(await this.findDataset(name));
  }

  /** Versions of a dataset, oldest first. @throws NotFoundError when the dataset does not exist. */
  async listVersions(name: string): Promise<DatasetVersionDto[]> {
    await this.findDataset(name);
    const rows = await this.database.getDataSource().getRepository(DatasetVersionEntity).find({ where: { datasetName: name }, order: { createdAt: 'ASC' } });
    return rows.map((r) => toVersionDto(r, false));
  }

  /** @throws NotFoundError (404) naming `name@versionId`. */
  async getVersion(name: string, versionId: string): Promise<DatasetVersionDto> {
    const row = await this.database.getDataSource().getRepository(DatasetVersionEntity).findOne({ where: { datasetName: name, versionId } });
    if (!row) throw new NotFoundError(`Dataset version '${name}@${versionId}' not found`);
    return toVersionDto(row, false);
  }

  /**
   * Opens the quarantined rows of `name@versionId` for download (see
   * {@link DatasetIngestor.openQuarantine} for the columns of each format).
   * @returns the byte stream and the number of quarantined rows.
   * @throws NotFoundError (404) naming what is missing: the dataset, the version, its
   *   quarantine (a version without rows set aside), or the quarantine file in the lake.
   */
  async openQuarantine(name: string, versionId: string, format: QuarantineFormat): Promise<{ stream: Readable; rowCount: number; fileName: string }> {
    await this.findDataset(name);
    const version = await this.getVersion(name, versionId);
    const validation = version.validation as { policy?: string; invalidRowCount?: number; quarantine?: { uri?: string; rowCount?: number } };
    const uri = validation.quarantine?.uri;
    if (!uri) {
      throw new NotFoundError(
        `Dataset version '${name}@${versionId}' has no quarantined rows (policy ${validation.policy ?? '?'}, ${validation.invalidRowCount ?? 0} invalid row(s))`,
      );
    }
    try {
      const stream = await this.ingestor.openQuarantine(uri, format);
      return { stream, rowCount: Number(validation.quarantine?.rowCount ?? 0), fileName: `${name}-${versionId}-quarantine.${format}` };
    } catch (e) {
      if (e instanceof ObjectNotFoundError) throw new NotFoundError(`Quarantine file of dataset version '${name}@${versionId}' is missing from the lake: ${uri}`, { cause: e });
      throw e;
    }
  }

  /**
   * Ingests a new version of dataset `name` from a file URI or a byte stream.
   * @returns the version and whether this call created it (false: identical content existed).
   * @throws NotFoundError when the dataset is not declared; InvalidArgumentError (400) for an
   *   unreadable input or unknown file; IntegrityError (422) when rows fail validation under
   *   policy `reject` (details.issues: `{row, column, rule, message, value}`) or a declared
   *   column is missing. Nothing is recorded in those cases.
   */
  async createVersion(name: string, source: VersionSource, policy?: ValidationPolicy, hooks: CreateVersionHooks = {}): Promise<DatasetVersionDto> {
    const dataset = await this.findDataset(name);
    const spec = dataset.spec as unknown as DatasetSpec;
    let input: string | Readable;
    let format = source.format;
    if (source.kind === 's3') {
      const opened = await this.s3Sources.open(source.sourceUri);
      input = opened.stream;
      format ??= spec.format ?? formatFromKey(opened.key);
      if (!format) throw new InvalidArgumentError(`Invalid request body: format: cannot infer the format of '${source.sourceUri}' (use a .csv/.ndjson/.jsonl/.parquet key or give format)`);
    } else if (source.kind === 'file') {
      let file: string;
      try {
        file = fileURLToPath(source.sourceUri);
      } catch (e) {
        throw new InvalidArgumentError(`Invalid request body: sourceUri: ${(e as Error).message}`);
      }
      const st = await fs.stat(file).catch(() => undefined);
      if (!st?.isFile()) throw new InvalidArgumentError(`Invalid request body: sourceUri: file '${file}' does not exist or is not a file`, { details: { sourceUri: source.sourceUri } });
      input = file;
    } else {
      input = source.stream;
    }
    const started = Date.now();
    const version = await this.mapErrorsAsync(() => this.ingestor.ingest(spec, input, { ...(format ? { format } : {}), ...(policy ? { policy } : {}) }));
    hooks.onIngested?.(version);
    this.logger.log(
      { dataset: name, versionId: version.versionId, rows: version.rowCount, invalidRows: version.validation.invalidRowCount, sizeBytes: version.sizeBytes, ms: Date.now() - started },
      `dataset '${name}': ingested ${version.validation.inputRowCount} row(s), ${version.rowCount} accepted -> version ${version.versionId}`,
    );
    const dto = await this.record(version);
    return { ...dto, upload: uploadSummary(version, dto) };
  }

  /**
   * Opens the content-addressed quarantine `quarantineId` of dataset `name`: the rows set aside
   * by an upload whose accepted rows were an existing version's (its answer's
   * `upload.quarantine.id`). Same formats as {@link openQuarantine}.
   * @throws InvalidArgumentError (400) when the id is not 16 hex digits; NotFoundError (404) naming the dataset or the quarantine.
   */
  async openQuarantineById(name: string, quarantineId: string, format: QuarantineFormat): Promise<{ stream: Readable; fileName: string }> {
    await this.findDataset(name);
    if (!/^[0-9a-f]{16}$/.test(quarantineId)) throw new InvalidArgumentError(`quarantineId: '${quarantineId}' is not a quarantine id (16 hex digits, from an upload's upload.quarantine.id)`);
    try {
      const stream = await this.ingestor.openQuarantine(this.ingestor.quarantineUri(name, quarantineId), format);
      return { stream, fileName: `${name}-quarantine-${quarantineId}.${format}` };
    } catch (e) {
      if (e instanceof ObjectNotFoundError) throw new NotFoundError(`Quarantine '${quarantineId}' of dataset '${name}' not found`, { cause: e });
      throw e;
    }
  }

  /**
   * Inserts the version row + outbox event in one transaction (`manager`'s when given, else a
   * new one), or returns the existing row when the content was already recorded (idempotent:
   * no second event).
   */
  async record(v: DatasetVersion, options: { parentVersionId?: string | null; manager?: EntityManager } = {}): Promise<DatasetVersionDto> {
    const parentVersionId = options.parentVersionId ?? null;
    const nulColumn = v.schema.findIndex((c) => hasNul(c.name));
    if (nulColumn >= 0) {
      throw new InvalidArgumentError(`dataset '${v.datasetName}': column ${nulColumn + 1} of the uploaded data has a name with a NUL character (U+0000), which no column name may hold`, { details: { column: nulColumn } });
    }
    const work = async (manager: EntityManager): Promise<DatasetVersionDto> => {
      const repo = manager.getRepository(DatasetVersionEntity);
      const inserted = await repo
        .createQueryBuilder()
        .insert()
        .values({
          datasetName: v.datasetName,
          versionId: v.versionId,
          contentSha256: v.contentSha256,
          uri: v.uri,
          manifestUri: v.manifestUri,
          rowCount: v.rowCount,
          sizeBytes: v.sizeBytes,
          schema: v.schema as unknown[],
          // Data values quoted in the profile and the validation report may hold U+0000, which jsonb cannot.
          profile: withoutNul(v.profile) as unknown as Record<string, unknown>,
          validation: withoutNul(v.validation) as unknown as Record<string, unknown>,
          parentVersionId,
        } as never)
        .orIgnore()
        .returning('*')
        .execute();
      const created = (inserted.raw as unknown[]).length > 0;
      const row = await repo.findOneOrFail({ where: { datasetName: v.datasetName, versionId: v.versionId } });
      if (created) {
        await this.publisher.publish(manager, DatasetVersionCreatedV1, {
          datasetName: row.datasetName,
          versionId: row.versionId,
          contentSha256: row.contentSha256,
          uri: row.uri,
          format: 'parquet',
          rowCount: row.rowCount,
          sizeBytes: row.sizeBytes,
          schema: v.schema.map((c) => ({ name: c.name, type: CONTRACT_TYPE[c.type], nullable: c.nullable })),
          parentVersionId: row.parentVersionId,
          createdAt: row.createdAt.toISOString(),
        });
      } else {
        this.logger.log({ dataset: v.datasetName, versionId: v.versionId }, `dataset '${v.datasetName}': identical content, version ${v.versionId} already recorded`);
      }
      return toVersionDto(row, created);
    };
    return options.manager ? work(options.manager) : this.database.getDataSource().transaction(work);
  }

  private async findDataset(name: string): Promise<DatasetEntity> {
    const row = await this.database.getDataSource().getRepository(DatasetEntity).findOne({ where: { name } });
    if (!row) throw new NotFoundError(`Dataset '${name}' not found`);
    return row;
  }

  private mapErrors<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw toAppError(e);
    }
  }

  private async mapErrorsAsync<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toAppError(e);
    }
  }
}

/** Maps ingestion-core errors to coded API errors (400 / 422); others pass through. */
export function toAppError(e: unknown): unknown {
  if (e instanceof AppError) return e;
  if (e instanceof DatasetValidationError)
    return new IntegrityError(e.message, { details: { issueCount: e.issueCount, invalidRowCount: e.invalidRowCount, issues: e.issues }, cause: e });
  if (e instanceof DatasetSchemaMismatchError) return new IntegrityError(e.message, { details: e.details, cause: e });
  if (e instanceof DatasetSpecError) return new InvalidArgumentError(e.message, { details: e.details, cause: e });
  if (e instanceof DatasetIngestionError) return new InvalidArgumentError(e.message, { details: e.details, cause: e });
  return e;
}

function toDatasetDto(r: DatasetEntity): DatasetDto {
  return { name: r.name, spec: r.spec, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() };
}

function toVersionDto(r: DatasetVersionEntity, created: boolean): DatasetVersionDto {
  return {
    datasetName: r.datasetName,
    versionId: r.versionId,
    contentSha256: r.contentSha256,
    rowCount: r.rowCount,
    uri: r.uri,
    manifestUri: r.manifestUri,
    sizeBytes: r.sizeBytes,
    schema: r.schema,
    profile: r.profile,
    validation: r.validation,
    parentVersionId: r.parentVersionId,
    createdAt: r.createdAt.toISOString(),
    created,
  };
}

/**
 * What THIS upload did, which the version alone cannot say when its accepted rows were an
 * existing version's (`created` false: e.g. every row invalid after an earlier empty upload):
 * rows read, accepted and set aside, and where its quarantine is downloaded (`download`: an API path).
 */
export function uploadSummary(v: DatasetVersion, dto: DatasetVersionDto): NonNullable<DatasetVersionDto['upload']> {
  const q = v.validation.quarantine;
  const download = !q ? undefined : q.id ? `/datasets/${v.datasetName}/quarantines/${q.id}` : `/datasets/${v.datasetName}/versions/${dto.versionId}/quarantine`;
  return {
    policy: v.validation.policy,
    inputRowCount: v.validation.inputRowCount,
    acceptedRowCount: v.validation.inputRowCount - v.validation.invalidRowCount,
    invalidRowCount: v.validation.invalidRowCount,
    issueCount: v.validation.issueCount,
    ...(q ? { quarantine: { rowCount: q.rowCount, uri: q.uri, ...(q.id ? { id: q.id } : {}), download: download! } } : {}),
  };
}

/** Callbacks of {@link DatasetsService.createVersion} (upload progress tracking). */
export interface CreateVersionHooks {
  /** Called once the ingestor finished (Parquet written), before the version is recorded. */
  readonly onIngested?: (v: DatasetVersion) => void;
}

function formatFromKey(key: string): DatasetFormat | undefined {
  const ext = key.slice(key.lastIndexOf('.')).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl' || ext === '.json') return 'ndjson';
  if (ext === '.parquet') return 'parquet';
  return undefined;
}
