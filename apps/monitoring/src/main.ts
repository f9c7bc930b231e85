import 'reflect-metadata';
import { bootstrapService, runMain } from '@strata/shared/nest-platform';
import { AppModule } from './app.module';
import { loadMonitoringConfig } from './config';
import { SERVICE_VERSION } from './version';

runMain('monitoring', async () => {
  const config = loadMonitoringConfig();
  await bootstrapService(AppModule.forConfig(config), {
    name: 'monitoring',
    description: 'Model monitoring: drift, performance, latency, alerts',
    version: SERVICE_VERSION,
    port: config.MONITORING_PORT,
    host: config.HOST,
  });
});
