import 'reflect-metadata';
import { bootstrapService, runMain } from '@strata/shared/nest-platform';
import { AppModule } from './app.module';
import { loadServingConfig } from './config';
import { SERVICE_VERSION } from './version';

runMain('serving', async () => {
  const config = loadServingConfig();
  await bootstrapService(AppModule.forConfig(config), {
    name: 'serving',
    description: 'Model serving: ONNX Runtime behind the Open Inference Protocol v2',
    version: SERVICE_VERSION,
    port: config.SERVING_PORT,
    bodyLimitBytes: config.SERVING_MAX_BODY_BYTES,
    host: config.HOST,
  });
});
