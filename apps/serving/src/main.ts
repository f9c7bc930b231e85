import { runService } from '@strata/shared/nest-platform';
import { AppModule } from './app.module';
import { loadServingConfig } from './config';
import { SERVICE_VERSION } from './version';

runService({
  name: 'serving', description: 'Model serving: ONNX Runtime behind the Open Inference Protocol v2', version: SERVICE_VERSION,
  loadConfig: loadServingConfig, module: (c) => AppModule.forConfig(c), listen: (c) => ({ port: c.SERVING_PORT, bodyLimitBytes: c.SERVING_MAX_BODY_BYTES, host: c.HOST }),
});
