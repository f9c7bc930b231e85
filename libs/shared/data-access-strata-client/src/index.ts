/**
 * @module @strata/shared/data-access-strata-client
 *
 * THE client of the Strata services' HTTP APIs (docs/service-apis.md): {@link ServiceClient}
 * (deadline, credential and one error mapping for every call) with one typed method per
 * contract endpoint of `@strata/contracts/api` ({@link serviceApi}), and the {@link StrataClient}
 * facade used by the `strata` CLI, the demo and end-to-end tests.
 *
 * ```ts
 * // inside a service: domain errors (NotFoundError, UnavailableError, …)
 * const registry = serviceApi(new ServiceClient({ baseUrl: registryUrl, service: 'registry', timeoutMs: 5000 }), RegistryApi);
 * const version = await registry.getModelVersion({ params: { name: 'adult-income', version: 3 } });
 * // CLI, tests: StrataHttpError / StrataUnreachableError
 * const strata = new StrataClient(endpointsFromEnv(process.env));
 * ```
 */
export * from './lib/client';
export * from './lib/strata-client';
export * from './lib/credentials';
export * from './lib/lifecycle-api';
