import 'reflect-metadata';
import { bootstrapService, runMain } from '@strata/shared/nest-platform';
import { AppModule } from './app.module';
import { loadFeaturesConfig } from './config';
import { SERVICE_VERSION } from './version';

runMain('features', async () => {
  const config = loadFeaturesConfig();
  await bootstrapService(AppModule.forConfig(config), {
    name: 'features',
    description: 'Feature store: entities, feature views, materialization, online and offline stores',
    version: SERVICE_VERSION,
    port: config.FEATURES_PORT,
    host: config.HOST,
  });
});
