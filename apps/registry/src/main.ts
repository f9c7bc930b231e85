import { runService } from '@strata/shared/nest-platform';
import { AppModule } from './app.module';
import { loadRegistryConfig } from './config';
import { SERVICE_VERSION } from './version';

runService({
  name: 'registry', description: 'Model registry: experiments, runs, registered models, versions, aliases, lineage', version: SERVICE_VERSION,
  loadConfig: loadRegistryConfig, module: (c) => AppModule.forConfig(c), listen: (c) => ({ port: c.REGISTRY_PORT, host: c.HOST }),
});
