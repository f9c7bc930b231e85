import { runService } from '@strata/shared/nest-platform';
import { AppModule } from './app.module';
import { loadConsoleConfig } from './config';
import { SERVICE_VERSION } from './version';

runService({
  name: 'console', description: 'Web console: the single-page app and a same-origin proxy to the six services with the user\'s own credential', version: SERVICE_VERSION,
  loadConfig: loadConsoleConfig, module: (c) => AppModule.forConfig(c), listen: (c) => ({ port: c.CONSOLE_PORT, host: c.HOST }),
});
