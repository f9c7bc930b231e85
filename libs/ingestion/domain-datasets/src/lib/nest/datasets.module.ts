import * as path from 'node:path';
import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createObjectStore, LocalObjectStore, OBJECT_STORE, type ObjectStore } from '@strata/shared/data-access-object-store';
import type { FastifyInstance } from 'fastify';
import { DatasetIngestor } from '../core/dataset-ingestor.service';
import { DATASET_INGESTOR, DATASETS_OPTIONS, S3_SOURCE_READER, STREAM_INGESTION_OPTIONS, UPLOAD_CONTENT_TYPES } from './datasets.constants';
import { DatasetsController, UploadsController } from './datasets.controller';
import { S3SourceReader } from './s3-source-reader';
import { IngestRecordsConsumer } from './stream/ingest-records.consumer';
import { StreamFlusher } from './stream/stream-flusher.service';
import { UploadTracker } from './upload-tracker';
import type { DatasetsModuleOptions } from './datasets.module-options';
import { DatasetsService } from './datasets.service';

/**
 * NestJS wiring of datasets: `DatasetsController` (`/datasets/**`), `DatasetsService`, a
 * the lake store (`OBJECT_STORE`: `LocalObjectStore` on `dataDir`, or `S3ObjectStore` when
 * `objectStore.STRATA_OBJECT_STORE=s3`), the `DatasetIngestor`, upload progress
 * (`UploadsController`, `UploadTracker`) and streaming ingestion (`IngestRecordsConsumer` +
 * `StreamFlusher`). Registers a
 * Fastify content-type parser for `text/csv`, `application/x-ndjson`,
 * `application/vnd.apache.parquet` and `application/octet-stream` that hands the raw request
 * stream to the handler (no buffering, no global body limit). Needs `PlatformModule` (DataSource)
 * and `MessagingModule` (EventPublisher) in the app.
 */
@Module({})
export class DatasetsModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(DATASET_INGESTOR) private readonly ingestor: DatasetIngestor,
  ) {}

  static forRoot(options: DatasetsModuleOptions): DynamicModule {
    return {
      module: DatasetsModule,
      controllers: [DatasetsController, UploadsController],
      providers: [
        { provide: DATASETS_OPTIONS, useValue: options },
        { provide: STREAM_INGESTION_OPTIONS, useValue: options.stream ?? {} },
        {
          provide: OBJECT_STORE,
          useFactory: (): Promise<ObjectStore> | ObjectStore =>
            options.objectStore ? createObjectStore(options.objectStore, options.dataDir) : new LocalObjectStore(path.resolve(options.dataDir)),
        },
        { provide: S3_SOURCE_READER, useFactory: () => new S3SourceReader(options.s3Sources ?? {}) },
        UploadTracker,
        StreamFlusher,
        ...(options.stream?.enabled === false ? [] : [IngestRecordsConsumer]),
        {
          provide: DATASET_INGESTOR,
          inject: [OBJECT_STORE],
          useFactory: (store: ObjectStore) => new DatasetIngestor({ store, ...(options.tmpDir ? { tmpDir: options.tmpDir } : {}), ...(options.duckdbMemoryLimit ? { memoryLimit: options.duckdbMemoryLimit } : {}), ...(options.duckdbThreads ? { threads: options.duckdbThreads } : {}) }),
        },
        DatasetsService,
      ],
      exports: [DatasetsService, OBJECT_STORE, StreamFlusher, UploadTracker],
    };
  }

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return; // no HTTP server (e.g. a standalone context)
    const fastify = adapter.getInstance<FastifyInstance>();
    for (const type of Object.keys(UPLOAD_CONTENT_TYPES)) {
      if (fastify.hasContentTypeParser(type)) fastify.removeContentTypeParser(type);
    }
    // Raw pass-through: the handler receives the request stream as `req.body`; Fastify's
    // bodyLimit applies only to parsers that buffer (parseAs), so large uploads stream through.
    fastify.addContentTypeParser(Object.keys(UPLOAD_CONTENT_TYPES), (_req, payload, done) => done(null, payload));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.ingestor.close();
  }
}
