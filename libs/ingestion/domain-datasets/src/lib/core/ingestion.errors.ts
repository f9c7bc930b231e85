import { CodedError } from '@strata/shared/util-errors';

/** Machine codes of {@link DatasetIngestionError} (`as const` enum). */
export const DatasetErrorCode = {
  DATASET_SPEC_INVALID: 'DATASET_SPEC_INVALID',
  DATASET_INPUT_UNREADABLE: 'DATASET_INPUT_UNREADABLE',
  DATASET_SCHEMA_MISMATCH: 'DATASET_SCHEMA_MISMATCH',
  DATASET_VALIDATION_FAILED: 'DATASET_VALIDATION_FAILED',
} as const;
/** Union of {@link DatasetErrorCode} values. */
export type DatasetErrorCode = (typeof DatasetErrorCode)[keyof typeof DatasetErrorCode];

/** Base class of ingestion errors; `code` is stable, `retryable` is false for all bad-input errors. */
export class DatasetIngestionError extends CodedError<DatasetErrorCode> {}

/** Thrown when a dataset spec (YAML or object) is malformed; the message names the file and field. */
export class DatasetSpecError extends DatasetIngestionError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(DatasetErrorCode.DATASET_SPEC_INVALID, message, { details });
  }
}

/** Thrown when DuckDB cannot read the input (bad CSV dialect, not Parquet, missing file...). */
export class DatasetInputError extends DatasetIngestionError {
  constructor(source: string, cause: unknown) {
    super(DatasetErrorCode.DATASET_INPUT_UNREADABLE, `Cannot read dataset input '${source}': ${cause instanceof Error ? cause.message : String(cause)}`, {
      details: { source },
      cause,
    });
  }
}

/** Thrown when a declared column is missing from the input. */
export class DatasetSchemaMismatchError extends DatasetIngestionError {
  constructor(source: string, missing: string[], present: string[]) {
    super(
      DatasetErrorCode.DATASET_SCHEMA_MISMATCH,
      `Dataset input '${source}' lacks declared column(s) ${missing.map((m) => `'${m}'`).join(', ')} (present: ${present.join(', ')})`,
      { details: { source, missing, present } },
    );
  }
}

/** One failed check on one cell. `row` is the 1-based data row number in the input (header excluded). */
export interface ValidationIssue {
  /** 1-based data row number in the input file (CSV header not counted; NDJSON line; Parquet row). */
  readonly row: number;
  /** Column name. */
  readonly column: string;
  /** Which rule failed. */
  readonly rule: 'not_null' | 'type' | 'min' | 'max' | 'allowed_values';
  /** Human-readable reason, e.g. `value 'abc' is not a valid FLOAT64`. */
  readonly message: string;
  /** Raw cell value as text (null when the cell was empty/null). */
  readonly value: string | null;
}

/**
 * Thrown under policy `reject` when at least one row fails validation; nothing is written.
 * `issues` holds the first `maxIssues` issues ordered by row then column; `issueCount` and
 * `invalidRowCount` are totals.
 */
export class DatasetValidationError extends DatasetIngestionError {
  constructor(
    readonly datasetName: string,
    readonly issues: ValidationIssue[],
    readonly issueCount: number,
    readonly invalidRowCount: number,
  ) {
    const first = issues[0];
    super(
      DatasetErrorCode.DATASET_VALIDATION_FAILED,
      `Dataset '${datasetName}': ${invalidRowCount} row(s) failed validation (${issueCount} issue(s))` +
        (first ? `; first: row ${first.row}, column '${first.column}', ${first.rule}: ${first.message}` : ''),
      { details: { datasetName, issueCount, invalidRowCount, issues } },
    );
  }
}
