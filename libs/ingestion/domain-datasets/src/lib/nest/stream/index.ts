export { IngestRecordsConsumer } from './ingest-records.consumer';
export { StreamFlusher, type FlushResult } from './stream-flusher.service';
export type { StreamIngestionOptions } from './stream-ingestion.options';
