import { runService } from '@strata/shared/nest-platform';
import { AppModule } from './app.module';
import { loadTrainingConfig } from './config';
import { SERVICE_VERSION } from './version';

runService({
  name: 'training', description: 'Durable training runs on Temporal: build set, train, evaluate, register', version: SERVICE_VERSION,
  loadConfig: loadTrainingConfig, module: (c) => AppModule.forConfig(c), listen: (c) => ({ port: c.TRAINING_PORT, host: c.HOST }),
});
