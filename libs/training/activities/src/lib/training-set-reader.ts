import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { IntegrityError, InvalidArgumentError } from '@strata/shared/util-errors';

/** Column holding the 0/1 (or boolean) label in training sets. */
export const LABEL_COLUMN = 'label';
/** Column holding each row's event time in training sets. */
export const EVENT_TIMESTAMP_COLUMN = 'event_timestamp';

const NUMERIC_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL.*|BOOLEAN)$/;
/** Column types read as categorical (string) features. */
const STRING_TYPES = /^(VARCHAR|TEXT|STRING|ENUM.*)$/;

/** One side of the time split, row-major, ready for a trainer. */
export interface TrainingSlice {
  /** The numeric features (and booleans, as 0/1), in the order asked. */
  features: string[];
  /** One Float64Array per row, `features` order, NaN = missing. */
  rows: Float64Array[];
  /** 0/1 per row. */
  labels: Uint8Array;
  /** The categorical (string column) features, in the order asked; empty for a numeric-only set. */
  categoricalFeatures: string[];
  /** One array per row, `categoricalFeatures` order, null = missing (empty when there are none). */
  categoricalRows: Array<Array<string | null>>;
  /** Extra columns asked by `readSlice(…, extra)` (e.g. segment columns), as text per row (null = missing). */
  extra?: Record<string, Array<string | null>>;
}

function q(ident: string): string {
  return `"${ident.replace(/"/g, '""')}"`;
}
function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Streams a file through sha256 and throws `IntegrityError` when it differs from `expected`. */
export async function verifyFileSha256(path: string, expected: string, what: string): Promise<void> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const actual = hash.digest('hex');
  if (actual !== expected) throw new IntegrityError(`${what} at '${path}' has sha256 ${actual}, expected ${expected}`, { details: { expected, actual } });
}

/**
 * Picks the model's input columns. With feature refs (`view:feature`), each ref maps to the
 * column `view__feature` (full feature names) or `feature`, in ref order. Without refs: every
 * numeric column except the label, timestamps and `*_id` join keys. Every chosen column must be
 * numeric (or boolean), or, when chosen by a ref, a string (VARCHAR): a categorical feature.
 *
 * @throws InvalidArgumentError Thrown when a ref has no column, a chosen column is not numeric,
 *   or nothing is left.
 */
export function selectFeatureColumns(columns: ReadonlyArray<{ name: string; type: string }>, featureRefs: ReadonlyArray<string>): string[] {
  const typeOf = new Map(columns.map((c) => [c.name, c.type]));
  let chosen: string[];
  if (featureRefs.length > 0) {
    chosen = featureRefs.map((ref) => {
      const [view, feature] = ref.includes(':') ? (ref.split(':', 2) as [string, string]) : ['', ref];
      const candidates = [`${view}__${feature}`, feature, ref];
      const hit = candidates.find((c) => typeOf.has(c));
      if (!hit) throw new InvalidArgumentError(`Training set has no column for feature '${ref}' (looked for ${candidates.map((c) => `'${c}'`).join(', ')})`);
      return hit;
    });
  } else {
    chosen = columns
      .filter((c) => c.name !== LABEL_COLUMN && !/TIMESTAMP|DATE|TIME/.test(c.type) && !/(^id$|_id$)/.test(c.name) && NUMERIC_TYPES.test(c.type))
      .map((c) => c.name);
  }
  for (const name of chosen) {
    const type = typeOf.get(name) ?? '';
    if (!NUMERIC_TYPES.test(type) && !STRING_TYPES.test(type)) {
      throw new InvalidArgumentError(`Feature column '${name}' has type ${type}; only numeric, boolean and string (categorical) features are supported`);
    }
  }
  if (chosen.length === 0) throw new InvalidArgumentError('Training set has no numeric feature column');
  return [...new Set(chosen)];
}

/**
 * The feature reference (`view:feature`) of each chosen column, in the order of `chosen`
 * (as {@link selectFeatureColumns} matched them), or undefined when the columns were not chosen
 * by references (no `featureRefs`). Recorded in the model (ONNX `strata.feature_refs`) so serving
 * knows which feature each input column is.
 */
export function featureRefsOfColumns(columns: ReadonlyArray<{ name: string; type: string }>, featureRefs: ReadonlyArray<string>, chosen: ReadonlyArray<string>): string[] | undefined {
  if (featureRefs.length === 0) return undefined;
  const names = new Set(columns.map((c) => c.name));
  const refOf = new Map<string, string>();
  for (const ref of featureRefs) {
    const [view, feature] = ref.includes(':') ? (ref.split(':', 2) as [string, string]) : ['', ref];
    const hit = [`${view}__${feature}`, feature, ref].find((c) => names.has(c));
    if (hit !== undefined && !refOf.has(hit) && view !== '') refOf.set(hit, ref);
  }
  const refs = chosen.map((c) => refOf.get(c));
  return refs.every((r): r is string => r !== undefined) ? refs : undefined;
}

/**
 * A training-set Parquet file opened with DuckDB (in-memory database, `TimeZone='UTC'`).
 * Call {@link close} when done.
 */
export class TrainingSetFile {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly path: string,
    /** Columns with DuckDB types, in file order. */
    readonly columns: Array<{ name: string; type: string }>,
  ) {}

  /**
   * @throws InvalidArgumentError Thrown when the file lacks `label` or `event_timestamp`.
   */
  static async open(path: string): Promise<TrainingSetFile> {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      await conn.run(`SET TimeZone='UTC'`);
      const described = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${lit(path)})`)).getRowObjectsJson();
      const columns = described.map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
      for (const required of [LABEL_COLUMN, EVENT_TIMESTAMP_COLUMN]) {
        if (!columns.some((c) => c.name === required)) throw new InvalidArgumentError(`Training set '${path}' has no '${required}' column`);
      }
      return new TrainingSetFile(instance, conn, path, columns);
    } catch (e) {
      conn.closeSync();
      instance.closeSync();
      throw e;
    }
  }

  /**
   * The training data cutoff: the latest `event_timestamp` of any row (ISO-8601 UTC), or null when
   * no row has one. Recorded in the model version's lineage (`trainingDataCutoff`): a live rollout
   * compares versions only on predictions after it.
   */
  async maxEventTime(): Promise<string | null> {
    const row = (
      await this.conn.runAndReadAll(`SELECT epoch_ms(max(CAST(${q(EVENT_TIMESTAMP_COLUMN)} AS TIMESTAMPTZ))) AS ms FROM read_parquet(${lit(this.path)})`)
    ).getRowObjectsJson()[0];
    return !row || row['ms'] === null || row['ms'] === undefined ? null : new Date(Number(row['ms'])).toISOString();
  }

  /** The given split time normalized to ISO-8601 UTC, or the 80% quantile of event times. */
  async resolveSplitTime(splitTime: string | undefined): Promise<string> {
    if (splitTime !== undefined) {
      const ms = Date.parse(splitTime);
      if (Number.isNaN(ms)) throw new InvalidArgumentError(`evaluation.splitTime '${splitTime}' is not an ISO-8601 timestamp`);
      return new Date(ms).toISOString();
    }
    const row = (
      await this.conn.runAndReadAll(
        `SELECT epoch_ms(quantile_disc(CAST(${q(EVENT_TIMESTAMP_COLUMN)} AS TIMESTAMPTZ), 0.8)) AS ms FROM read_parquet(${lit(this.path)}) WHERE ${q(LABEL_COLUMN)} IS NOT NULL`,
      )
    ).getRowObjectsJson()[0];
    if (!row || row['ms'] === null) throw new InvalidArgumentError(`Training set '${this.path}' has no labeled rows`);
    return new Date(Number(row['ms'])).toISOString();
  }

  /** Whether a column is a string (categorical) column. */
  isCategorical(name: string): boolean {
    return STRING_TYPES.test(this.columns.find((c) => c.name === name)?.type ?? '');
  }

  /**
   * Reads one side of the time split: `train` = `event_timestamp < splitTime`, `eval` = the
   * rest. Rows without a label or event time are skipped. Numeric features cast to DOUBLE
   * (NULL → NaN) into `features`/`rows`; string columns (categorical features) into
   * `categoricalFeatures`/`categoricalRows` (NULL → null), read in the same query so rows align;
   * `extra` columns (any type) as text into `extra` (NULL → null), in the same query too.
   */
  async readSlice(requested: ReadonlyArray<string>, splitTime: string, side: 'train' | 'eval', extra: ReadonlyArray<string> = []): Promise<TrainingSlice> {
    const cmp = side === 'train' ? '<' : '>=';
    const features = requested.filter((f) => !this.isCategorical(f));
    const categoricalFeatures = requested.filter((f) => this.isCategorical(f));
    const select = [
      ...features.map((f, i) => `CAST(${q(f)} AS DOUBLE) AS f${i}`),
      ...categoricalFeatures.map((f, i) => `CAST(${q(f)} AS VARCHAR) AS c${i}`),
      ...extra.map((f, i) => `CAST(${q(f)} AS VARCHAR) AS x${i}`),
    ].join(', ');
    const reader = await this.conn.runAndReadAll(
      `SELECT ${select}, CAST(${q(LABEL_COLUMN)} AS INTEGER) AS __label FROM read_parquet(${lit(this.path)})
       WHERE ${q(LABEL_COLUMN)} IS NOT NULL AND ${q(EVENT_TIMESTAMP_COLUMN)} IS NOT NULL
         AND CAST(${q(EVENT_TIMESTAMP_COLUMN)} AS TIMESTAMPTZ) ${cmp} CAST(${lit(splitTime)} AS TIMESTAMPTZ)
       ORDER BY CAST(${q(EVENT_TIMESTAMP_COLUMN)} AS TIMESTAMPTZ)`,
    );
    const cols = reader.getColumns();
    const n = reader.currentRowCount;
    const rows: Float64Array[] = new Array(n);
    for (let i = 0; i < n; i++) rows[i] = new Float64Array(features.length);
    for (let j = 0; j < features.length; j++) {
      const col = cols[j] ?? [];
      for (let i = 0; i < n; i++) {
        const v = col[i];
        rows[i]![j] = v === null || v === undefined ? Number.NaN : Number(v);
      }
    }
    const categoricalRows: Array<Array<string | null>> = categoricalFeatures.length === 0 ? [] : Array.from({ length: n }, () => new Array<string | null>(categoricalFeatures.length));
    for (let j = 0; j < categoricalFeatures.length; j++) {
      const col = cols[features.length + j] ?? [];
      for (let i = 0; i < n; i++) {
        const v = col[i];
        categoricalRows[i]![j] = v === null || v === undefined ? null : String(v);
      }
    }
    const extraValues: Record<string, Array<string | null>> = {};
    extra.forEach((f, j) => {
      const col = cols[features.length + categoricalFeatures.length + j] ?? [];
      extraValues[f] = Array.from({ length: n }, (_, i) => (col[i] === null || col[i] === undefined ? null : String(col[i])));
    });
    const labelCol = cols[features.length + categoricalFeatures.length + extra.length] ?? [];
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = Number(labelCol[i]);
      if (v !== 0 && v !== 1) throw new InvalidArgumentError(`Training set '${this.path}' has label ${String(labelCol[i])}; labels must be 0/1 or boolean`);
      labels[i] = v;
    }
    return { features: [...features], rows, labels, categoricalFeatures, categoricalRows, ...(extra.length > 0 ? { extra: extraValues } : {}) };
  }

  /**
   * Writes the train side of the split (`event_timestamp < splitTime`, labeled rows, in event
   * order) as Parquet for an external trainer: one DOUBLE column per numeric feature, one VARCHAR
   * column per categorical (string) feature (NULL = missing) and `label` INTEGER 0/1. Returns
   * the row count.
   */
  async writeTrainSlice(features: ReadonlyArray<string>, splitTime: string, outPath: string): Promise<number> {
    const select = features.map((f) => `CAST(${q(f)} AS ${this.isCategorical(f) ? 'VARCHAR' : 'DOUBLE'}) AS ${q(f)}`).join(', ');
    const where = `${q(LABEL_COLUMN)} IS NOT NULL AND ${q(EVENT_TIMESTAMP_COLUMN)} IS NOT NULL AND CAST(${q(EVENT_TIMESTAMP_COLUMN)} AS TIMESTAMPTZ) < CAST(${lit(splitTime)} AS TIMESTAMPTZ)`;
    await this.conn.run(
      `COPY (SELECT ${select}, CAST(${q(LABEL_COLUMN)} AS INTEGER) AS ${q(LABEL_COLUMN)} FROM read_parquet(${lit(this.path)}) WHERE ${where}
             ORDER BY CAST(${q(EVENT_TIMESTAMP_COLUMN)} AS TIMESTAMPTZ)) TO ${lit(outPath)} (FORMAT parquet)`,
    );
    const row = (await this.conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet(${lit(outPath)})`)).getRowObjectsJson()[0];
    return Number(row?.['n'] ?? 0);
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
