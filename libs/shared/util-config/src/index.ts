/**
 * @module @strata/shared/util-config
 *
 * Environment configuration validated at boot. Each app declares one zod schema over its
 * environment variables and calls `loadConfig` once; a bad environment fails with one error
 * listing every problem.
 *
 * ```ts
 * const schema = z.object({ DATABASE_URL: postgresUrlVar(), REGISTRY_PORT: portVar(3004) });
 * const config = loadConfig('registry', schema);
 * ```
 */
export * from './load-config';
