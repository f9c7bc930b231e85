import { runService } from '@strata/shared/nest-platform';
import { AppModule } from './app.module';
import { loadMonitoringConfig } from './config';
import { SERVICE_VERSION } from './version';

runService({
  name: 'monitoring', description: 'Model monitoring: drift, performance, latency, alerts', version: SERVICE_VERSION,
  loadConfig: loadMonitoringConfig, module: (c) => AppModule.forConfig(c), listen: (c) => ({ port: c.MONITORING_PORT, host: c.HOST }),
});
