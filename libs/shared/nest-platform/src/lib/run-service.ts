import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { type BootstrapOptions, bootstrapService, runMain } from './bootstrap';

/** What a service's main.ts declares: who it is, how it loads its config, and what it runs. */
export interface ServiceMain<C> {
  /** Service name (logs, OpenAPI title, failure message). */
  name: string;
  /** One line for the OpenAPI document. */
  description: string;
  version: string;
  /** Reads and validates the environment (throws ConfigValidationError, printed as is). */
  loadConfig: () => C;
  /** The app module for that config. */
  module: (config: C) => DynamicModule;
  /** Where and how to listen: `port`, `host`, and optionally `bodyLimitBytes` / `shutdownTimeoutMs`. */
  listen: (config: C) => Omit<BootstrapOptions, 'name' | 'description' | 'version'>;
}

/**
 * The whole main.ts of a service: {@link runMain} (file secrets first, exit 1 with the reason on a
 * failed start) around loading the config and {@link bootstrapService} with the module it gives.
 */
export function runService<C>(service: ServiceMain<C>): void {
  runMain(service.name, async () => {
    const config = service.loadConfig();
    await bootstrapService(service.module(config), { name: service.name, description: service.description, version: service.version, ...service.listen(config) });
  });
}
