import type { DuckDBConnection } from '@duckdb/node-api';
import { qstr } from '@strata/shared/data-access-duckdb';

/** Download formats of a version's quarantined rows. */
export type QuarantineFormat = 'csv' | 'parquet';

/** HTTP content type of each {@link QuarantineFormat}. */
export const QUARANTINE_CONTENT_TYPE: Readonly<Record<QuarantineFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

/**
 * Writes the quarantine Parquet at `quarantineFile` (columns `_row`, `_issues`
 * `list<{column, rule, message}>`, then the raw text of every declared column) as a CSV at
 * `outFile`, rows by source row number, with a header:
 * `_row` (1-based data row of the input, header excluded), `_reasons` (the row's issues as
 * `<column> [<rule>]: <message>` joined by `; `), then the raw columns as they were uploaded.
 * @throws the DuckDB error when the file is not a quarantine Parquet.
 */
export async function writeQuarantineCsv(conn: DuckDBConnection, quarantineFile: string, outFile: string): Promise<void> {
  await conn.run(
    `COPY (SELECT _row, array_to_string([x."column" || ' [' || x.rule || ']: ' || x.message FOR x IN _issues], '; ') AS _reasons, ` +
      `* EXCLUDE (_row, _issues) FROM read_parquet(${qstr(quarantineFile)}) ORDER BY _row) TO ${qstr(outFile)} (FORMAT csv, HEADER true)`,
  );
}
