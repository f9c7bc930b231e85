/** Options of streaming ingestion (`DatasetsModule.forRoot({ stream })`, env `INGESTION_STREAM_*`). */
export interface StreamIngestionOptions {
  /** Consume `strata.ingestion.ingest-records.v1` and cut versions (default true). */
  readonly enabled?: boolean;
  /** Cut a version as soon as a dataset has at least this many pending records (default 10 000). */
  readonly flushRecords?: number;
  /** ... or when its oldest pending batch is this old, in ms (default 5 000). */
  readonly flushIntervalMs?: number;
  /** How often the flusher checks the staging area, in ms (default 250). */
  readonly pollIntervalMs?: number;
  /** Upper bound of records per version (whole batches; default 200 000). */
  readonly maxRecordsPerVersion?: number;
}
