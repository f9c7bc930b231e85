import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { withLocalFiles, type ObjectStore } from '@strata/shared/data-access-object-store';
import { profileTable, type DatasetProfile } from './dataset-profile';
import { type ColumnType, DUCKDB_TYPE, EPOCH_FORMATS, isEpochFormat, parseDatasetSpec, type ColumnSpec, type DatasetFormat, type DatasetSpec, type ValidationPolicy } from './dataset-spec';
import { DatasetInputError, DatasetSchemaMismatchError, DatasetSpecError, DatasetValidationError, type ValidationIssue } from './ingestion.errors';
import { qid, qlit, qstr } from '@strata/shared/data-access-duckdb';
import { writeQuarantineCsv, type QuarantineFormat } from './quarantine-export';

/** Input of {@link DatasetIngestor.ingest}: a local file path, or a byte stream (spooled to a temp file first). */
export type IngestSource = string | Readable | AsyncIterable<Uint8Array>;

/** Options of {@link DatasetIngestor.ingest}. */
export interface IngestOptions {
  /** Input format; default `spec.format`, else inferred from the path extension (.csv, .ndjson/.jsonl/.json, .parquet). Required for streams without `spec.format`. */
  readonly format?: DatasetFormat;
  /** Overrides `spec.policy`; default `reject`. */
  readonly policy?: ValidationPolicy;
  /** Max issues returned in the result / error (totals are always exact). Default 1000. */
  readonly maxIssues?: number;
  /**
   * Append mode (streaming micro-batches): the new version holds the rows of this existing
   * version's Parquet (a URI of the same store, read first, in file order) followed by the
   * accepted input rows. The profile covers all rows; `validation` counts only the input.
   * When no input row is accepted the content equals the parent's: `created` is false, the
   * parent's manifest is left untouched and rejected rows go to
   * `datasets/<name>/quarantine/<sha16>.parquet`.
   */
  readonly appendTo?: { readonly uri: string };
}

/** One column of a dataset version's schema. */
export interface SchemaField {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
}

/** Stored object written for a version. */
export interface StoredFile {
  readonly uri: string;
  readonly sha256: string;
  readonly sizeBytes: number;
}

/** Result of an ingestion: an immutable, content-addressed dataset version. */
export interface DatasetVersion {
  readonly datasetName: string;
  /** First 16 hex chars of {@link contentSha256}: identical content ⇒ identical version id. */
  readonly versionId: string;
  /** sha256 of the written Parquet bytes (rows in input order, declared column order and types). */
  readonly contentSha256: string;
  /** Rows written (accepted rows; quarantined rows excluded). */
  readonly rowCount: number;
  readonly schema: readonly SchemaField[];
  readonly profile: DatasetProfile;
  /** URI of `datasets/<name>/<versionId>/data.parquet`. */
  readonly uri: string;
  readonly sizeBytes: number;
  /** False when the same content already existed (idempotent re-ingestion); nothing was rewritten. */
  readonly created: boolean;
  /** URI of `datasets/<name>/<versionId>/manifest.json` (schema, profile, validation summary). */
  readonly manifestUri: string;
  readonly validation: {
    readonly policy: ValidationPolicy;
    /** Total rows read from the input. */
    readonly inputRowCount: number;
    readonly invalidRowCount: number;
    readonly issueCount: number;
    /** First `maxIssues` issues, ordered by row then column. */
    readonly issues: readonly ValidationIssue[];
    /** Present when policy is `quarantine` and rows were set aside: `datasets/<name>/<versionId>/quarantine.parquet`. */
    readonly quarantine?: StoredFile & { readonly rowCount: number };
  };
}

/** Constructor dependencies of {@link DatasetIngestor}. */
export interface DatasetIngestorDeps {
  /** Lake where versions are written. */
  readonly store: ObjectStore;
  /** Directory for spooled inputs and Parquet staging (default `os.tmpdir()`). */
  readonly tmpDir?: string;
  /** DuckDB instance to use; default: a private `:memory:` instance created on first use. */
  readonly duckdb?: DuckDBInstance;
  /**
   * Memory limit of the private DuckDB instance (DuckDB size string, default `1GB`). Beyond
   * it, DuckDB spills its temp tables and sorts to `<tmpDir>/strata-duckdb-spill`, so a large
   * input (1 GB CSV) is ingested in bounded memory. Ignored when `duckdb` is injected.
   */
  readonly memoryLimit?: string;
  /** DuckDB worker threads of the private instance (default: DuckDB's, the number of cores). */
  readonly threads?: number;
}

/**
 * Turns a CSV / NDJSON / Parquet file or stream into an immutable dataset version in the lake.
 *
 * DuckDB reads the file directly (declared columns are read as text, then cast with
 * `TRY_CAST` so each failure is reported with its row and column), the accepted rows are
 * written as Parquet (zstd) to `datasets/<name>/<versionId>/data.parquet`, where
 * `versionId` is derived from the Parquet sha256. Timestamps: naive values are UTC; values
 * with an offset are converted to UTC; stored as TIMESTAMPTZ.
 *
 * Framework-free: wire it in NestJS with a factory provider passing the object store.
 */
export class DatasetIngestor {
  private readonly store: ObjectStore;
  private readonly tmpDir: string;
  private db: Promise<DuckDBInstance> | undefined;
  private readonly ownsDb: boolean;
  private readonly memoryLimit: string;
  private readonly threads: number | undefined;

  constructor(deps: DatasetIngestorDeps) {
    this.store = deps.store;
    this.tmpDir = deps.tmpDir ?? os.tmpdir();
    this.memoryLimit = deps.memoryLimit ?? '1GB';
    this.threads = deps.threads;
    this.ownsDb = deps.duckdb === undefined;
    if (deps.duckdb) this.db = Promise.resolve(deps.duckdb);
  }

  /**
   * Ingests `source` as a new version of `spec.name`.
   * @throws DatasetSpecError when `spec` is invalid.
   * @throws DatasetInputError when DuckDB cannot read the input.
   * @throws DatasetSchemaMismatchError when a declared column is missing (CSV/Parquet).
   * @throws DatasetValidationError under policy `reject` when any row fails a check (nothing is written).
   * @throws ObjectStoreError from the store.
   */
  async ingest(spec: DatasetSpec, source: IngestSource, options: IngestOptions = {}): Promise<DatasetVersion> {
    spec = parseDatasetSpec(spec, `dataset spec '${(spec as { name?: unknown }).name ?? '?'}'`);
    const policy = options.policy ?? spec.policy ?? 'reject';
    const maxIssues = options.maxIssues ?? 1000;
    const work = await fs.mkdtemp(path.join(this.tmpDir, 'strata-ingest-'));
    const conn = await (await this.instance()).connect();
    try {
      await conn.run(`SET TimeZone = 'UTC'`);
      await checkFormats(conn, spec);
      const format = options.format ?? spec.format ?? (typeof source === 'string' ? formatFromPath(source) : undefined);
      if (!format) throw new DatasetInputError(typeof source === 'string' ? source : '<stream>', new Error('format not given and not inferable'));
      const label = typeof source === 'string' ? source : `<stream ${spec.name}>`;
      const file = typeof source === 'string' ? source : await spool(source, path.join(work, `input.${format}`));

      const columns = spec.columns ?? (await inferColumns(conn, format, file, spec, label));
      const reader = readerSql(format, file, spec, columns);
      const t = `raw_${randomUUID().replace(/-/g, '')}`;
      try {
        await conn.run(`CREATE TEMP TABLE ${t} AS SELECT * FROM ${reader}`);
      } catch (e) {
        throw new DatasetInputError(label, e);
      }
      const present = (await conn.runAndReadAll(`DESCRIBE ${t}`)).getRowObjects().map((r) => String(r['column_name']));
      const missing = columns.map((c) => c.name).filter((n) => !present.includes(n));
      if (missing.length > 0) throw new DatasetSchemaMismatchError(label, missing, present);

      // Typed view: one TRY_CAST per declared column; rowid+1 is the 1-based input row (insertion order is preserved).
      const rawIsText = format !== 'parquet';
      const typedCols = columns.map((c) => `${castExpr(c, rawIsText)} AS ${qid(c.name)}`).join(', ');
      const rawCols = columns.map((c) => `${qid(c.name)}::VARCHAR AS ${qid(`__raw_${c.name}`)}`).join(', ');
      await conn.run(`CREATE TEMP TABLE typed AS SELECT rowid + 1 AS __row, ${typedCols}, ${rawCols} FROM ${t}`);
      await conn.run(`DROP TABLE ${t}`);

      await conn.run(`CREATE TEMP TABLE issues AS ${issuesSql(columns)}`);
      const summary = (
        await conn.runAndReadAll(
          `SELECT (SELECT count(*) FROM typed) AS n, (SELECT count(*) FROM issues) AS issues, (SELECT count(DISTINCT row) FROM issues) AS bad`,
        )
      ).getRowObjects()[0]!;
      const inputRowCount = Number(summary['n']);
      const issueCount = Number(summary['issues']);
      const invalidRowCount = Number(summary['bad']);
      const issues = (
        await conn.runAndReadAll(`SELECT row, "column", rule, message, value FROM issues ORDER BY row, col_idx, rule LIMIT ${maxIssues}`)
      )
        .getRowObjects()
        .map((r) => ({
          row: Number(r['row']),
          column: String(r['column']),
          rule: r['rule'] as ValidationIssue['rule'],
          message: String(r['message']),
          value: r['value'] === null ? null : String(r['value']),
        }));
      if (policy === 'reject' && issueCount > 0) throw new DatasetValidationError(spec.name, issues, issueCount, invalidRowCount);

      const names = columns.map((c) => qid(c.name)).join(', ');
      if (options.appendTo) {
        const baseUri = options.appendTo.uri;
        const baseCols = columns.map((c) => `CAST(${qid(c.name)} AS ${DUCKDB_TYPE[c.type]}) AS ${qid(c.name)}`).join(', ');
        await withLocalFiles(this.store, [baseUri], async ([p]) => {
          try {
            await conn.run(`CREATE TEMP TABLE base AS SELECT ${baseCols} FROM read_parquet(${qstr(p!)})`);
          } catch (e) {
            throw new DatasetInputError(baseUri, e);
          }
        });
        await conn.run(
          `CREATE TEMP TABLE accepted AS SELECT ${names} FROM (SELECT 0 AS __src, rowid AS __ord, ${names} FROM base ` +
            `UNION ALL SELECT 1, __row, ${names} FROM typed WHERE __row NOT IN (SELECT row FROM issues)) ORDER BY __src, __ord`,
        );
      } else {
        await conn.run(`CREATE TEMP TABLE accepted AS SELECT ${names} FROM typed WHERE __row NOT IN (SELECT row FROM issues) ORDER BY __row`);
      }
      const dataFile = path.join(work, 'data.parquet');
      await conn.run(`COPY (SELECT * FROM accepted) TO ${qstr(dataFile)} (FORMAT parquet, COMPRESSION zstd)`);
      const contentSha256 = await sha256File(dataFile);
      const versionId = contentSha256.slice(0, 16);
      const prefix = `datasets/${spec.name}/${versionId}`;
      const dataKey = `${prefix}/data.parquet`;
      const existing = await this.store.stat(dataKey);
      const sizeBytes = (await fs.stat(dataFile)).size;
      const created = existing === undefined || existing.sizeBytes !== sizeBytes;
      const put = created ? await this.store.put(dataKey, createReadStream(dataFile)) : { uri: existing.uri, sizeBytes };

      let quarantine: (StoredFile & { rowCount: number }) | undefined;
      if (invalidRowCount > 0) {
        const qFile = path.join(work, 'quarantine.parquet');
        const rawNames = columns.map((c) => `${qid(`__raw_${c.name}`)} AS ${qid(c.name)}`).join(', ');
        await conn.run(
          `COPY (SELECT t.__row AS _row, i.issues AS _issues, ${rawNames} FROM typed t JOIN ` +
            `(SELECT row, list({'column': "column", 'rule': rule, 'message': message} ORDER BY col_idx, rule) AS issues FROM issues GROUP BY row) i ON i.row = t.__row ORDER BY t.__row) ` +
            `TO ${qstr(qFile)} (FORMAT parquet, COMPRESSION zstd)`,
        );
        // Append mode without new rows: the version is the parent; keep its files untouched.
        const unchangedParent = options.appendTo !== undefined && !created;
        const qKey = unchangedParent ? `datasets/${spec.name}/quarantine/${(await sha256File(qFile)).slice(0, 16)}.parquet` : `${prefix}/quarantine.parquet`;
        const q = await this.store.put(qKey, createReadStream(qFile));
        quarantine = { uri: q.uri, sha256: q.sha256, sizeBytes: q.sizeBytes, rowCount: invalidRowCount };
      }

      const schema: SchemaField[] = columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable ?? true }));
      const profile = await profileTable(conn, 'accepted', columns);
      const validation = { policy, inputRowCount, invalidRowCount, issueCount, issues, ...(quarantine ? { quarantine } : {}) };
      const manifest = { datasetName: spec.name, versionId, contentSha256, rowCount: profile.rowCount, schema, profile, uri: put.uri, sizeBytes, validation: { ...validation, issues: issues.slice(0, 100) } };
      const manifestKey = `${prefix}/manifest.json`;
      const m = options.appendTo !== undefined && !created ? { uri: this.store.uriFor(manifestKey) } : await this.store.put(manifestKey, Buffer.from(JSON.stringify(manifest, null, 2)));
      return { ...manifest, validation, created, manifestUri: m.uri };
    } finally {
      conn.closeSync();
      await fs.rm(work, { recursive: true, force: true });
    }
  }

  /**
   * Opens the quarantined rows of a version (`validation.quarantine.uri`) for download.
   * `parquet`: the stored file as is (`_row`, `_issues: list<{column, rule, message}>`, raw
   * columns). `csv`: converted by DuckDB (see {@link writeQuarantineCsv}) into a temp file that
   * is deleted when the returned stream closes.
   * @throws ObjectNotFoundError when the file is not in the lake; ForeignUriError for a URI of another store.
   */
  async openQuarantine(uri: string, format: QuarantineFormat): Promise<Readable> {
    if (format === 'parquet') return this.store.getStream(this.store.resolve(uri));
    const work = await fs.mkdtemp(path.join(this.tmpDir, 'strata-quarantine-'));
    try {
      const out = path.join(work, 'quarantine.csv');
      await withLocalFiles(
        this.store,
        [uri],
        async ([p]) => {
          const conn = await (await this.instance()).connect();
          try {
            await writeQuarantineCsv(conn, p ?? uri, out);
          } finally {
            conn.closeSync();
          }
        },
        { tmpDir: work },
      );
      const stream = createReadStream(out);
      stream.once('close', () => void fs.rm(work, { recursive: true, force: true }));
      return stream;
    } catch (e) {
      await fs.rm(work, { recursive: true, force: true });
      throw e;
    }
  }

  /** Closes the private DuckDB instance (no-op when one was injected). */
  async close(): Promise<void> {
    if (this.ownsDb && this.db) (await this.db).closeSync();
    this.db = undefined;
  }

  private instance(): Promise<DuckDBInstance> {
    this.db ??= DuckDBInstance.create(':memory:', {
      memory_limit: this.memoryLimit,
      temp_directory: path.join(this.tmpDir, 'strata-duckdb-spill'),
      ...(this.threads ? { threads: String(this.threads) } : {}),
    });
    return this.db;
  }
}

function formatFromPath(p: string): DatasetFormat | undefined {
  const ext = path.extname(p).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl' || ext === '.json') return 'ndjson';
  if (ext === '.parquet') return 'parquet';
  return undefined;
}

async function spool(source: Readable | AsyncIterable<Uint8Array>, target: string): Promise<string> {
  await pipeline(source, createWriteStream(target));
  return target;
}

async function sha256File(p: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(p)) h.update(c as Buffer);
  return h.digest('hex');
}

function csvOptions(spec: DatasetSpec): string {
  const o: string[] = [];
  if (spec.csv?.delimiter !== undefined) o.push(`delim = ${qstr(spec.csv.delimiter)}`);
  if (spec.csv?.quote !== undefined) o.push(`quote = ${qstr(spec.csv.quote)}`);
  o.push(`header = ${spec.csv?.header === false ? 'false' : 'true'}`);
  return o.map((s) => `, ${s}`).join('');
}

function readerSql(format: DatasetFormat, file: string, spec: DatasetSpec, columns: readonly ColumnSpec[]): string {
  switch (format) {
    case 'csv':
      return `read_csv(${qstr(file)}, all_varchar = true${csvOptions(spec)})`;
    case 'ndjson': {
      const cols = columns.map((c) => `${qstr(c.name)}: 'VARCHAR'`).join(', ');
      return `read_json(${qstr(file)}, format = 'newline_delimited', columns = {${cols}})`;
    }
    case 'parquet':
      return `read_parquet(${qstr(file)})`;
  }
}

async function inferColumns(conn: DuckDBConnection, format: DatasetFormat, file: string, spec: DatasetSpec, label: string): Promise<ColumnSpec[]> {
  const reader =
    format === 'csv'
      ? `read_csv(${qstr(file)}${csvOptions(spec)})`
      : format === 'ndjson'
        ? `read_json(${qstr(file)}, format = 'newline_delimited')`
        : `read_parquet(${qstr(file)})`;
  try {
    const d = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}`);
    return d.getRowObjects().map((r) => ({ name: String(r['column_name']), type: fromDuckType(String(r['column_type'])), nullable: true }));
  } catch (e) {
    throw new DatasetInputError(label, e);
  }
}

/** Maps an inferred DuckDB type to a {@link ColumnType}; unknown/nested types become STRING. */
function fromDuckType(t: string): ColumnType {
  if (/^(BIGINT|HUGEINT|UBIGINT|UINTEGER)$/.test(t)) return 'INT64';
  if (/^(INTEGER|SMALLINT|TINYINT|USMALLINT|UTINYINT)$/.test(t)) return 'INT32';
  if (t === 'DOUBLE' || t.startsWith('DECIMAL')) return 'FLOAT64';
  if (t === 'FLOAT') return 'FLOAT32';
  if (t === 'BOOLEAN') return 'BOOL';
  if (t === 'DATE') return 'DATE';
  if (t.startsWith('TIMESTAMP')) return 'TIMESTAMP';
  return 'STRING';
}

function castExpr(c: ColumnSpec, rawIsText: boolean): string {
  const col = qid(c.name);
  const target = DUCKDB_TYPE[c.type];
  if (c.format !== undefined) return formattedExpr(c, c.format, `NULLIF(trim(${col}::VARCHAR), '')`);
  if (rawIsText && c.type === 'STRING') return col;
  // Text input: blank cells are nulls, surrounding spaces are not significant for non-strings.
  const src = rawIsText ? `NULLIF(trim(${col}), '')` : col;
  return `TRY_CAST(${src} AS ${target})`;
}

/**
 * Typed value of a TIMESTAMP/DATE column with a declared `format` (NULL when the text does not
 * match; the caller reports it as a `type` issue).
 * - epoch_s|ms|us: exact decimal → whole microseconds since 1970-01-01T00:00:00Z.
 * - strptime without offset: the wall-clock time in `timezone` (default UTC); a local time that
 *   does not exist in that zone (DST gap) is NULL (checked by converting back).
 * - strptime with %z/%Z: the offset in the value wins.
 */
function formattedExpr(c: ColumnSpec, fmt: string, src: string): string {
  if (isEpochFormat(fmt)) {
    const usPerUnit = 1_000_000 / EPOCH_FORMATS[fmt];
    return `try(make_timestamp(CAST(round(TRY_CAST(${src} AS DECIMAL(38, 9)) * ${usPerUnit}) AS BIGINT))::TIMESTAMPTZ)`;
  }
  const parsed = `try_strptime(${src}, ${qstr(fmt)})`;
  if (c.type === 'DATE') return `CAST(${parsed} AS DATE)`;
  if (/%[zZ]/.test(fmt) || c.timezone === undefined) return `CAST(${parsed} AS TIMESTAMPTZ)`;
  const tz = qstr(c.timezone);
  return `CASE WHEN timezone(${tz}, timezone(${tz}, ${parsed})) = ${parsed} THEN timezone(${tz}, ${parsed}) END`;
}

/** @throws DatasetSpecError naming `columns[i].format` when DuckDB rejects a strptime format. */
async function checkFormats(conn: DuckDBConnection, spec: DatasetSpec): Promise<void> {
  for (const [i, c] of (spec.columns ?? []).entries()) {
    if (c.format === undefined || isEpochFormat(c.format)) continue;
    try {
      await conn.run(`SELECT try_strptime('', ${qstr(c.format)})`);
    } catch (e) {
      const msg = `columns[${i}].format: '${c.format}' is not a valid strptime format: ${(e as Error).message}`;
      throw new DatasetSpecError(`dataset spec '${spec.name}': ${msg}`, { where: `columns[${i}].format`, issues: [msg] });
    }
  }
}

/** Human description of a column's declared source format, for issue messages. */
function formatLabel(c: ColumnSpec, f: string): string {
  if (f === 'epoch_s') return 'epoch_s (Unix epoch seconds)';
  if (f === 'epoch_ms') return 'epoch_ms (Unix epoch milliseconds)';
  if (f === 'epoch_us') return 'epoch_us (Unix epoch microseconds)';
  return `'${f}'${c.timezone ? ` in time zone ${c.timezone} (a local time skipped by a DST change is invalid)` : ''}`;
}

function checkLiteral(c: ColumnSpec, v: string | number | boolean): string {
  return `CAST(${qlit(v)} AS ${DUCKDB_TYPE[c.type]})`;
}

function issuesSql(columns: readonly ColumnSpec[]): string {
  const parts: string[] = [];
  columns.forEach((c, idx) => {
    const col = qid(c.name);
    const raw = qid(`__raw_${c.name}`);
    const sel = (rule: string, msg: string, where: string) =>
      `SELECT __row AS row, ${idx} AS col_idx, ${qstr(c.name)} AS "column", ${qstr(rule)} AS rule, ${msg} AS message, ${raw} AS value FROM typed WHERE ${where}`;
    const blank = `(${raw} IS NULL OR trim(${raw}) = '')`;
    if (c.nullable === false) parts.push(sel('not_null', `'null value in non-nullable column'`, `${col} IS NULL AND ${blank}`));
    const typeMsg =
      c.format !== undefined
        ? `'value ''' || ${raw} || ''' in column ${c.name} does not match the ${c.type} format ' || ${qstr(formatLabel(c, c.format))}`
        : `'value ''' || ${raw} || ''' is not a valid ${c.type}'`;
    parts.push(sel('type', typeMsg, `${col} IS NULL AND NOT ${blank}`));
    if (c.min !== undefined) parts.push(sel('min', `'value ' || ${raw} || ' < min ${String(c.min).replace(/'/g, "''")}'`, `${col} < ${checkLiteral(c, c.min)}`));
    if (c.max !== undefined) parts.push(sel('max', `'value ' || ${raw} || ' > max ${String(c.max).replace(/'/g, "''")}'`, `${col} > ${checkLiteral(c, c.max)}`));
    if (c.allowedValues !== undefined) {
      const list = c.allowedValues.map((v) => checkLiteral(c, v)).join(', ');
      parts.push(sel('allowed_values', `'value ''' || ${raw} || ''' not in allowed values'`, `${col} IS NOT NULL AND ${col} NOT IN (${list})`));
    }
  });
  return parts.join('\nUNION ALL\n');
}
