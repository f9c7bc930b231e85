import 'reflect-metadata';
import { bootstrapService, runMain } from '@strata/shared/nest-platform';
import { AppModule } from './app.module';
import { loadIngestionConfig } from './config';
import { SERVICE_VERSION } from './version';

runMain('ingestion', async () => {
  const config = loadIngestionConfig();
  await bootstrapService(AppModule.forConfig(config), {
    name: 'ingestion',
    description: 'Datasets and immutable, content-hashed dataset versions in the lake',
    version: SERVICE_VERSION,
    port: config.INGESTION_PORT,
    host: config.HOST,
  });
});
