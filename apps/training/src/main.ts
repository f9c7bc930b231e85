import 'reflect-metadata';
import { bootstrapService, runMain } from '@strata/shared/nest-platform';
import { AppModule } from './app.module';
import { loadTrainingConfig } from './config';
import { SERVICE_VERSION } from './version';

runMain('training', async () => {
  const config = loadTrainingConfig();
  await bootstrapService(AppModule.forConfig(config), {
    name: 'training',
    description: 'Durable training runs on Temporal: build set, train, evaluate, register',
    version: SERVICE_VERSION,
    port: config.TRAINING_PORT,
    host: config.HOST,
  });
});
