import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { withLocalFiles, type ObjectStore } from '@strata/shared/data-access-object-store';
import { profileTable } from './dataset-profile';
import { DUCKDB_TYPE, parseDatasetSpec, type DatasetFormat, type DatasetSpec } from './dataset-spec';
import { DatasetInputError, DatasetSchemaMismatchError, DatasetValidationError, type ValidationIssue } from './ingestion.errors';
import { qid, qstr } from '@strata/shared/data-access-duckdb';
import { writeQuarantineCsv, type QuarantineFormat } from './quarantine-export';
import { castExpr, checkFormats, inferColumns, invalidRowPredicate, issueListSql, issuesSql, readerSql } from './dataset-ingestor.sql';
import type { DatasetIngestorDeps, DatasetVersion, IngestOptions, IngestSource, SchemaField, StoredFile } from './dataset-ingestor.types';

export * from './dataset-ingestor.types';

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
      let present: string[];
      try {
        present = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}`)).getRowObjects().map((r) => String(r['column_name']));
      } catch (e) {
        throw new DatasetInputError(label, e);
      }
      const missing = columns.map((c) => c.name).filter((n) => !present.includes(n));
      if (missing.length > 0) throw new DatasetSchemaMismatchError(label, missing, present);

      // The input typed (one TRY_CAST per declared column) next to its raw text. It is never
      // materialised: each pass below streams the file again through DuckDB, so memory does not
      // grow with the input (see README § Memory).
      const rawIsText = format !== 'parquet';
      const typedCols = columns.map((c) => `${castExpr(c, rawIsText)} AS ${qid(c.name)}`).join(', ');
      const rawCols = columns.map((c) => `${qid(c.name)}::VARCHAR AS ${qid(`__raw_${c.name}`)}`).join(', ');
      const input = `(SELECT ${typedCols}, ${rawCols} FROM ${reader})`;
      const invalid = invalidRowPredicate(columns);
      // Pass 1 keeps only the invalid rows, numbered in file order: row_number() OVER () is a
      // streaming window and insertion order is preserved, so __row is the 1-based input row.
      try {
        await conn.run(`CREATE TEMP TABLE invalid_rows AS SELECT * FROM (SELECT row_number() OVER () AS __row, * FROM ${input}) WHERE ${invalid}`);
      } catch (e) {
        throw new DatasetInputError(label, e);
      }
      await conn.run(`CREATE TEMP TABLE issues AS ${issuesSql(columns, 'invalid_rows')}`);
      const summary = (await conn.runAndReadAll(`SELECT (SELECT count(*) FROM issues) AS issues, (SELECT count(*) FROM invalid_rows) AS bad`)).getRowObjects()[0]!;
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

      // Pass 2: the valid rows, in file order, straight into the Parquet (a filter: no join, no sort).
      const names = columns.map((c) => qid(c.name)).join(', ');
      const valid = `SELECT ${names} FROM ${input} WHERE NOT (${invalid})`;
      const dataFile = path.join(work, 'data.parquet');
      const parquet = `(FORMAT parquet, COMPRESSION zstd)`;
      let newRowCount: number;
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
            `UNION ALL SELECT 1, row_number() OVER (), ${names} FROM (${valid})) ORDER BY __src, __ord`,
        );
        const total = await copyRows(conn, `COPY (SELECT * FROM accepted) TO ${qstr(dataFile)} ${parquet}`);
        newRowCount = total - Number((await conn.runAndReadAll(`SELECT count(*) AS n FROM base`)).getRowObjects()[0]!['n']);
      } else {
        newRowCount = await copyRows(conn, `COPY (${valid}) TO ${qstr(dataFile)} ${parquet}`);
      }
      const inputRowCount = newRowCount + invalidRowCount;
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
        // invalid_rows is in file order (insertion order): scanned as is, no join or sort.
        await conn.run(`COPY (SELECT __row AS _row, ${issueListSql(columns)} AS _issues, ${rawNames} FROM invalid_rows) TO ${qstr(qFile)} (FORMAT parquet, COMPRESSION zstd)`);
        // The accepted rows are an existing version's (append without new rows, or the same valid
        // rows again, e.g. an upload whose rows are ALL invalid after an earlier empty one): keep
        // that version's files untouched; this upload's quarantine gets its own content-addressed
        // key (`id`: downloadable at GET /datasets/{name}/quarantines/{id}).
        const qId = created ? undefined : (await sha256File(qFile)).slice(0, 16);
        const qKey = qId ? quarantineKey(spec.name, qId) : `${prefix}/quarantine.parquet`;
        const q = await this.store.put(qKey, createReadStream(qFile));
        quarantine = { uri: q.uri, sha256: q.sha256, sizeBytes: q.sizeBytes, rowCount: invalidRowCount, ...(qId ? { id: qId } : {}) };
      }

      const schema: SchemaField[] = columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable ?? true }));
      // Profile of the stored file (a scan of the Parquet just written, not of a table held in memory).
      const profile = await profileTable(conn, `read_parquet(${qstr(dataFile)})`, columns);
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

  /** URI of the content-addressed quarantine `id` of dataset `name` (a 16-hex-digit id; see `ingest`). */
  quarantineUri(name: string, id: string): string {
    return this.store.uriFor(quarantineKey(name, id));
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
      // Row numbers (quarantine, issues) and the Parquet's bytes (the version id) follow file order.
      preserve_insertion_order: 'true',
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

/** Runs a `COPY ... TO` and returns the number of rows it wrote (DuckDB's `Count`). */
async function copyRows(conn: DuckDBConnection, sql: string): Promise<number> {
  const r = await conn.runAndReadAll(sql);
  return Number(r.getRows()[0]?.[0] ?? 0);
}

async function sha256File(p: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(p)) h.update(c as Buffer);
  return h.digest('hex');
}

/** Lake key of an upload's quarantine whose accepted rows are an existing version's: `datasets/<name>/quarantine/<id>.parquet` (id: first 16 hex digits of its sha256). */
function quarantineKey(name: string, id: string): string {
  return `datasets/${name}/quarantine/${id}.parquet`;
}
