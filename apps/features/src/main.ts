import { runService } from '@strata/shared/nest-platform';
import { AppModule } from './app.module';
import { loadFeaturesConfig } from './config';
import { SERVICE_VERSION } from './version';

runService({
  name: 'features', description: 'Feature store: entities, feature views, materialization, online and offline stores', version: SERVICE_VERSION,
  loadConfig: loadFeaturesConfig, module: (c) => AppModule.forConfig(c), listen: (c) => ({ port: c.FEATURES_PORT, host: c.HOST }),
});
