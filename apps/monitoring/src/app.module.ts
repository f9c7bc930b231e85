import { type DynamicModule, Module } from '@nestjs/common';
import { MONITORING_ENTITIES, MONITORING_MIGRATIONS, MONITORING_SCHEMA } from '@strata/monitoring/data-access';
import { MonitoringModule } from '@strata/monitoring/domain-monitoring';
import { serviceAppModule } from '@strata/shared/nest-platform';
import type { MonitoringConfig } from './config';
import { SERVICE_VERSION } from './version';

/** Wires the monitoring service: platform (logs, health, metrics, PostgreSQL), messaging and monitoring. */
@Module({})
export class AppModule {
  static forConfig(config: MonitoringConfig): DynamicModule {
    return serviceAppModule({
      module: AppModule,
      identity: { name: 'monitoring', version: SERVICE_VERSION },
      env: config,
      database: { schema: MONITORING_SCHEMA, entities: MONITORING_ENTITIES, migrations: MONITORING_MIGRATIONS },
      messaging: { groupId: config.MONITORING_CONSUMER_GROUP },
      imports: [
        MonitoringModule.forRoot({
          registryUrl: config.REGISTRY_URL,
          dataDir: config.STRATA_DATA_DIR,
          psiThreshold: config.MONITORING_PSI_THRESHOLD,
          driftShare: config.MONITORING_DRIFT_SHARE,
          psiEpsilon: config.MONITORING_PSI_EPSILON,
          minPredictions: config.MONITORING_MIN_PREDICTIONS,
          minLabeled: config.MONITORING_MIN_LABELED,
          minLabeledShare: config.MONITORING_MIN_LABELED_SHARE,
          settleSeconds: config.MONITORING_SETTLE_SECONDS,
          minRocAuc: config.MONITORING_MIN_ROC_AUC,
          maxRocAucDrop: config.MONITORING_MAX_ROC_AUC_DROP,
          evaluationWindow: config.MONITORING_WINDOW,
          evaluationIntervalMs: config.MONITORING_EVALUATION_INTERVAL_MS,
          httpTimeoutMs: config.MONITORING_HTTP_TIMEOUT_MS,
          aggregationIntervalMs: config.MONITORING_AGGREGATION_INTERVAL_MS,
          countBlockSize: config.MONITORING_COUNT_BLOCK,
          countWindowSize: config.MONITORING_COUNT_WINDOW,
          driftMethod: config.MONITORING_DRIFT_METHOD,
          driftAlpha: config.MONITORING_DRIFT_ALPHA,
          rolloutGuard: {
            intervalMs: config.MONITORING_ROLLOUT_GUARD_INTERVAL_MS,
            minRequests: config.MONITORING_ROLLOUT_MIN_REQUESTS,
            maxErrorRate: config.MONITORING_ROLLOUT_MAX_ERROR_RATE,
            maxErrorRateRatio: config.MONITORING_ROLLOUT_MAX_ERROR_RATE_RATIO,
            maxP99Seconds: config.MONITORING_ROLLOUT_MAX_P99_SECONDS,
            maxP99Ratio: config.MONITORING_ROLLOUT_MAX_P99_RATIO,
            metric: config.MONITORING_ROLLOUT_METRIC,
          },
        }),
      ],
    });
  }
}
