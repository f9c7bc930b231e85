import * as path from 'node:path';
import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { LocalObjectStore, OBJECT_STORE, type ObjectStore } from '@strata/shared/data-access-object-store';
import type { FastifyInstance } from 'fastify';
import { DatasetIngestor } from '../core/dataset-ingestor.service';
import { DATASET_INGESTOR, DATASETS_OPTIONS, UPLOAD_CONTENT_TYPES } from './datasets.constants';
import { DatasetsController } from './datasets.controller';
import type { DatasetsModuleOptions } from './datasets.module-options';
import { DatasetsService } from './datasets.service';

/**
 * NestJS wiring of datasets: `DatasetsController` (`/datasets/**`), `DatasetsService`, a
 * `LocalObjectStore` on `dataDir` (`OBJECT_STORE`) and the `DatasetIngestor`. Registers a
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
      controllers: [DatasetsController],
      providers: [
        { provide: DATASETS_OPTIONS, useValue: options },
        { provide: OBJECT_STORE, useFactory: (): ObjectStore => new LocalObjectStore(path.resolve(options.dataDir)) },
        {
          provide: DATASET_INGESTOR,
          inject: [OBJECT_STORE],
          useFactory: (store: ObjectStore) => new DatasetIngestor({ store, ...(options.tmpDir ? { tmpDir: options.tmpDir } : {}) }),
        },
        DatasetsService,
      ],
      exports: [DatasetsService, OBJECT_STORE],
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
