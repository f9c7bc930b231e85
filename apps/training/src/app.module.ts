import path from 'node:path';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { serviceAppModule } from '@strata/shared/nest-platform';
import { TRAINING_ENTITIES, TRAINING_MIGRATIONS } from '@strata/training/data-access';
import { liveCommandTrainers } from '@strata/training/activities';
import { TrainingModule } from '@strata/training/domain-training';
import { ModelOptimizationModule } from '@strata/training/domain-model-optimization';
import type { TrainingConfig } from './config';
import { SERVICE_VERSION } from './version';

/** Wires the training service: platform (logs, health, metrics, PostgreSQL), messaging, training runs, searches and retraining (Temporal), and model optimization. */
@Module({})
export class AppModule {
  static forConfig(config: TrainingConfig): DynamicModule {
    return serviceAppModule({
      module: AppModule,
      identity: { name: 'training', version: SERVICE_VERSION },
      env: config,
      database: { schema: config.TRAINING_DB_SCHEMA, entities: TRAINING_ENTITIES, migrations: TRAINING_MIGRATIONS },
      messaging: { groupId: config.TRAINING_KAFKA_GROUP_ID },
      imports: [
        TrainingModule.forRoot({
          temporalAddress: config.TEMPORAL_ADDRESS,
          temporalNamespace: config.TEMPORAL_NAMESPACE,
          temporalRpcTimeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS,
          featuresUrl: config.FEATURES_URL,
          registryUrl: config.REGISTRY_URL,
          ingestionUrl: config.INGESTION_URL,
          workerEnabled: config.TRAINING_WORKER_ENABLED,
          dataDir: config.STRATA_DATA_DIR,
          codeVersion: SERVICE_VERSION,
          taskQueue: config.TRAINING_TASK_QUEUE,
          // Environment trainers + the trainers file, re-read when it changes (no restart to add a trainer).
          commandTrainers: liveCommandTrainers({
            staticTrainers: config.TRAINING_COMMAND_TRAINERS,
            ...(config.TRAINING_TRAINERS_FILE ? { file: config.TRAINING_TRAINERS_FILE } : {}),
            onError: (message) => new Logger('Trainers').error(message),
            onChange: (names) => new Logger('Trainers').log(`trainers file: ${names.join(', ') || 'none'}`),
          }),
          cost: { perCpuHour: config.TRAINING_COST_PER_CPU_HOUR, perGbHour: config.TRAINING_COST_PER_GB_HOUR, currency: config.TRAINING_COST_CURRENCY },
          retrainCooldownSeconds: config.TRAINING_RETRAIN_COOLDOWN_SECONDS,
          retrainOnEvents: config.TRAINING_RETRAIN_ON_EVENTS,
          runTimeouts: { heartbeatTimeout: `${config.TRAINING_HEARTBEAT_TIMEOUT_SECONDS} seconds`, initialRetryInterval: `${config.TRAINING_RETRY_INITIAL_SECONDS} seconds` },
        }),
        // issue 15: derived optimized versions (ONNX Runtime INT8 / graph), measured on the parent's evaluation set
        ModelOptimizationModule.forRoot({
          registryUrl: config.REGISTRY_URL,
          dataDir: config.STRATA_DATA_DIR,
          python: config.TRAINING_OPTIMIZER_PYTHON,
          script: path.resolve(config.TRAINING_OPTIMIZER_SCRIPT),
          toolTimeoutMs: config.TRAINING_OPTIMIZE_TOOL_TIMEOUT_SECONDS * 1000,
          defaultMaxAccuracyDrop: config.TRAINING_OPTIMIZE_MAX_ACCURACY_DROP,
          maxQueued: 8,
        }),
      ],
    });
  }
}
