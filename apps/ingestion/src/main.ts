import { runService } from '@strata/shared/nest-platform';
import { AppModule } from './app.module';
import { loadIngestionConfig } from './config';
import { SERVICE_VERSION } from './version';

runService({
  name: 'ingestion', description: 'Datasets and immutable, content-hashed dataset versions in the lake', version: SERVICE_VERSION,
  loadConfig: loadIngestionConfig, module: (c) => AppModule.forConfig(c), listen: (c) => ({ port: c.INGESTION_PORT, host: c.HOST }),
});
