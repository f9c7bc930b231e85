/**
 * @module @strata/cli/domain-demo
 *
 * The end-to-end demo on NYC taxi trips (`npm run demo`), as a library so the CLI runs it and
 * the end-to-end test runs the same flow on a small slice.
 */
export * from './lib/demo-command';
export * from './lib/demo-report';
export * from './lib/taxi-demo';
