/**
 * @module @strata/shared/data-access-strata-client
 *
 * Typed HTTP client for every Strata service, as docs/service-apis.md describes them. Used by
 * the `strata` CLI, the demo and end-to-end tests.
 *
 * ```ts
 * const strata = new StrataClient(endpointsFromEnv(process.env));
 * const version = await strata.registerDatasetFile('taxi-trips', 'file:///data/2019-03.csv', 'csv');
 * ```
 */
export * from './lib/http';
export * from './lib/strata-client';
export * from './lib/service-call';
export * from './lib/credentials';
export * from './lib/lifecycle-api';
