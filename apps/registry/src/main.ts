import 'reflect-metadata';
import { bootstrapService, runMain } from '@strata/shared/nest-platform';
import { AppModule } from './app.module';
import { loadRegistryConfig } from './config';
import { SERVICE_VERSION } from './version';

runMain('registry', async () => {
  const config = loadRegistryConfig();
  await bootstrapService(AppModule.forConfig(config), {
    name: 'registry',
    description: 'Model registry: experiments, runs, registered models, versions, aliases, lineage',
    version: SERVICE_VERSION,
    port: config.REGISTRY_PORT,
    host: config.HOST,
  });
});
