import { type DynamicModule, Module } from '@nestjs/common';
import { serviceAppModule } from '@strata/shared/nest-platform';
import { INGESTION_ENTITIES, INGESTION_MIGRATIONS } from '@strata/ingestion/data-access';
import { DatasetsModule } from '@strata/ingestion/domain-datasets';
import { s3ConnectionFromConfig } from '@strata/shared/data-access-object-store';
import type { IngestionConfig } from './config';
import { SERVICE_VERSION } from './version';

/** Wires the ingestion service: platform (logs, health, metrics, PostgreSQL), messaging (outbox + ingest-records consumer), datasets (lake on local files or S3), uploads and streaming ingestion. */
@Module({})
export class AppModule {
  static forConfig(config: IngestionConfig): DynamicModule {
    const stream = {
      enabled: config.INGESTION_STREAM_ENABLED,
      flushRecords: config.INGESTION_STREAM_FLUSH_RECORDS,
      flushIntervalMs: config.INGESTION_STREAM_FLUSH_INTERVAL_MS,
      pollIntervalMs: config.INGESTION_STREAM_POLL_MS,
      maxRecordsPerVersion: config.INGESTION_STREAM_MAX_RECORDS_PER_VERSION,
    };
    return serviceAppModule({
      module: AppModule,
      identity: { name: 'ingestion', version: SERVICE_VERSION },
      env: config,
      database: { schema: config.INGESTION_DB_SCHEMA, entities: INGESTION_ENTITIES, migrations: INGESTION_MIGRATIONS },
      messaging: { groupId: config.INGESTION_KAFKA_GROUP_ID, consumer: { enabled: config.INGESTION_STREAM_ENABLED } },
      imports: [
        DatasetsModule.forRoot({
          dataDir: config.STRATA_DATA_DIR,
          maxUploadBytes: config.INGESTION_MAX_UPLOAD_BYTES,
          progressEveryBytes: config.INGESTION_PROGRESS_EVERY_BYTES,
          duckdbMemoryLimit: config.INGESTION_DUCKDB_MEMORY_LIMIT,
          duckdbThreads: config.INGESTION_DUCKDB_THREADS,
          objectStore: config,
          s3Sources: s3ConnectionFromConfig(config),
          stream,
        }),
      ],
    });
  }
}
