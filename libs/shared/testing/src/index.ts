/**
 * @module @strata/shared/testing
 *
 * Test harness shared by integration and end-to-end tests: real infrastructure endpoints
 * (`infraEnv()`, filled by the jest globalSetup from tools/stack), `eventually()` instead of
 * sleeps, unique names per run, and starting services from source. Import from spec files only.
 */
export * from './lib/eventually';
export * from './lib/infra-env';
export * from './lib/service-process';
export * from './lib/kafka-groups';
export * from './lib/chaos-kafka-groups';
export * from './lib/python-env';
export * from './lib/auth-credentials';
export * from './lib/fault-proxy';
export * from './lib/prng';
export * from './lib/deadline-fetch';
export * from './lib/migrated-schema';
export * from './lib/nest-test-app';
export * from './lib/blackhole';
export * from './lib/fake-json-service';
export * from './lib/isolated-platform';
export * from './lib/temporal-test-env';
export * from './lib/dataset-announcer';
export * from './lib/pg-query';
export * from './lib/customer-feature-repo';
export * from './lib/table-ready';
export * from './lib/onnx-probabilities';
export * from './lib/two-variant-training-rows';
export * from './lib/service-behind-temporal-proxy';
