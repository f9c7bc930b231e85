import type { DynamicModule } from '@nestjs/common';
import { ConsoleModule } from '@strata/console/domain-console';
import type { ConsoleConfig } from './config';
import { SERVICE_VERSION } from './version';

/** The console app: {@link ConsoleModule} wired from the environment. */
export const AppModule = {
  forConfig(c: ConsoleConfig): DynamicModule {
    return ConsoleModule.forRoot({
      version: SERVICE_VERSION,
      logLevel: c.LOG_LEVEL,
      uiDir: c.CONSOLE_UI_DIR,
      proxyTimeoutMs: c.CONSOLE_PROXY_TIMEOUT_MS,
      serviceUrls: { ingestion: c.INGESTION_URL, features: c.FEATURES_URL, training: c.TRAINING_URL, registry: c.REGISTRY_URL, serving: c.SERVING_URL, monitoring: c.MONITORING_URL },
    });
  },
};
