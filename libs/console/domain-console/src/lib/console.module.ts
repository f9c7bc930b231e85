import { type DynamicModule, Module } from '@nestjs/common';
import { METRICS_REGISTRY, MetricsController, createLoggerParams, getMetricsRegistry } from '@strata/shared/nest-platform';
import { LoggerModule } from 'nestjs-pino';
import { CONSOLE_OPTIONS, type ConsoleOptions } from './console-options';
import { ProxyController } from './proxy.controller';
import { UiController } from './ui.controller';

/**
 * The web console: the built single-page app, the same-origin proxy `/api/{service}/…` and
 * Prometheus `/metrics`.
 * No database, no Kafka and no credential of its own: every call it forwards carries the user's.
 */
@Module({})
export class ConsoleModule {
  static forRoot(options: ConsoleOptions & { logLevel: string; version: string }): DynamicModule {
    return {
      module: ConsoleModule,
      imports: [LoggerModule.forRoot(createLoggerParams('console', options.version, options.logLevel))],
      // `/metrics` (Prometheus text format) is the platform's controller, as on every service.
      controllers: [ProxyController, MetricsController, UiController],
      providers: [
        { provide: CONSOLE_OPTIONS, useValue: options },
        { provide: METRICS_REGISTRY, useFactory: getMetricsRegistry },
      ],
    };
  }
}
