import { type DynamicModule, Module } from '@nestjs/common';
import { serviceAppModule } from '@strata/shared/nest-platform';
import { SERVING_ENTITIES, SERVING_MIGRATIONS } from '@strata/serving/data-access';
import { ServingModule } from '@strata/serving/domain-inference';
import type { ServingConfig } from './config';
import { SERVICE_VERSION } from './version';

/** Wires the serving service: platform (logs, health, metrics, PostgreSQL), messaging, model serving and batch scoring (Temporal). */
@Module({})
export class AppModule {
  static forConfig(config: ServingConfig): DynamicModule {
    return serviceAppModule({
      module: AppModule,
      identity: { name: 'serving', version: SERVICE_VERSION },
      env: config,
      database: { schema: config.SERVING_DB_SCHEMA, entities: SERVING_ENTITIES, migrations: SERVING_MIGRATIONS },
      messaging: { groupId: config.SERVING_CONSUMER_GROUP, instanceId: config.SERVING_INSTANCE_ID },
      imports: [
        ServingModule.forRoot({
          registryUrl: config.REGISTRY_URL,
          featuresUrl: config.FEATURES_URL,
          ortThreads: config.SERVING_ORT_THREADS,
          ortInterOpThreads: config.SERVING_ORT_INTER_OP_THREADS,
          dataDir: config.STRATA_DATA_DIR,
          predictionLogCapacity: config.SERVING_PREDICTION_LOG_BUFFER,
          predictionLogBatchSize: config.SERVING_PREDICTION_LOG_BATCH,
          predictionLogDurability: config.SERVING_PREDICTION_LOG_DURABILITY,
          predictionLogTimeoutMs: config.SERVING_PREDICTION_LOG_TIMEOUT_MS,
          httpTimeoutMs: config.SERVING_HTTP_TIMEOUT_MS,
          maxBodyBytes: config.SERVING_MAX_BODY_BYTES,
          batching: config.SERVING_BATCHING,
          fastInferRoute: config.SERVING_FAST_INFER_ROUTE,
          batch: {
            temporalAddress: config.TEMPORAL_ADDRESS,
            temporalNamespace: config.TEMPORAL_NAMESPACE,
            temporalRpcTimeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS,
            taskQueue: config.SERVING_TASK_QUEUE,
            workerEnabled: config.SERVING_WORKER_ENABLED,
            ingestionUrl: config.INGESTION_URL,
            chunkRows: config.SERVING_BATCH_CHUNK_ROWS,
            timeouts: {
              heartbeatTimeout: `${config.SERVING_BATCH_HEARTBEAT_TIMEOUT_SECONDS} seconds`,
              initialRetryInterval: `${config.SERVING_BATCH_RETRY_INITIAL_SECONDS} seconds`,
            },
          },
        }),
      ],
    });
  }
}
