/**
 * @module @strata/console/domain-console
 *
 * The web console's server side (issue 13): {@link ConsoleModule} serves the built single-page
 * app (libs/console/ui, built into `CONSOLE_UI_DIR`) and proxies `/api/{service}/…` to the six
 * services with the user's own credential ({@link proxyCall}).
 */
export * from './lib/console-options';
export * from './lib/proxy';
export * from './lib/static-files';
export * from './lib/console.module';
