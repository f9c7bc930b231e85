/**
 * Logical scalar types (Feast-like names) shared by dataset columns (ingestion) and entity keys /
 * feature values (feature store), and the DuckDB type each is stored as in Parquet:
 * INT32→INTEGER, INT64→BIGINT, FLOAT32→FLOAT, FLOAT64→DOUBLE, STRING→VARCHAR, BOOL→BOOLEAN,
 * DATE→DATE, TIMESTAMP→TIMESTAMPTZ (UTC-adjusted microseconds). The key order is the order
 * validation messages list them in.
 */
export const LogicalType = {
  INT32: 'INT32',
  INT64: 'INT64',
  FLOAT32: 'FLOAT32',
  FLOAT64: 'FLOAT64',
  STRING: 'STRING',
  BOOL: 'BOOL',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
} as const;
/** Union of {@link LogicalType} values. */
export type LogicalType = (typeof LogicalType)[keyof typeof LogicalType];

/** DuckDB SQL type used to store each {@link LogicalType}. */
export const DUCKDB_LOGICAL_TYPE: Readonly<Record<LogicalType, string>> = {
  INT32: 'INTEGER',
  INT64: 'BIGINT',
  FLOAT32: 'FLOAT',
  FLOAT64: 'DOUBLE',
  STRING: 'VARCHAR',
  BOOL: 'BOOLEAN',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMPTZ',
};
