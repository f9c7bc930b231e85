import { z } from 'zod';

/**
 * Thrown when the environment does not satisfy an app's config schema. The message lists
 * every missing or invalid variable at once (never one at a time), e.g.
 *
 * ```
 * Invalid configuration for registry (2 problems):
 *   - DATABASE_URL: required (expected a postgres:// URL)
 *   - REGISTRY_PORT: expected a port number 1-65535, got "abc"
 * ```
 */
export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';
  constructor(
    readonly service: string,
    readonly problems: ReadonlyArray<{ variable: string; message: string }>,
  ) {
    super(
      `Invalid configuration for ${service} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'),
    );
  }
}

const cache = new Map<string, unknown>();

/**
 * Validates environment variables against a zod object schema whose keys are variable names,
 * and returns the parsed (typed, defaulted, frozen) result. The result is cached per service
 * name, so call sites share one parse; `resetConfigForTests()` clears the cache.
 *
 * @param service  name used in the error message and cache key (e.g. `registry`)
 * @param schema   `z.object({ DATABASE_URL: z.string(), ... })`; use the helpers below
 * @param env      defaults to `process.env`
 * @throws ConfigValidationError listing every invalid or missing variable
 */
export function loadConfig<S extends z.ZodObject>(
  service: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.infer<S>> {
  if (env === process.env && cache.has(service)) return cache.get(service) as z.infer<S>;
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({
      variable: issue.path.map(String).join('.') || '(root)',
      message: issue.code === 'invalid_type' && issue.input === undefined ? `required (${issue.message})` : issue.message,
    }));
    throw new ConfigValidationError(service, problems);
  }
  const value = Object.freeze(result.data) as z.infer<S>;
  if (env === process.env) cache.set(service, value);
  return value;
}

/** Clears the config cache (tests only). */
export function resetConfigForTests(): void {
  cache.clear();
}

/** A TCP port from an env string, with a default. */
export const portVar = (defaultPort: number) =>
  z.coerce
    .number({ message: 'expected a port number 1-65535' })
    .int('expected a port number 1-65535')
    .min(1, 'expected a port number 1-65535')
    .max(65535, 'expected a port number 1-65535')
    .default(defaultPort);

/** A PostgreSQL connection URL (`postgres://user:pass@host:port/db`). */
export const postgresUrlVar = () =>
  z
    .string({ message: 'expected a postgres:// URL' })
    .regex(/^postgres(ql)?:\/\/[^\s]+$/, 'expected a postgres:// URL such as postgres://strata:strata@127.0.0.1:5432/strata');

/** A comma-separated broker list `host:port[,host:port]`, parsed to an array. */
export const brokersVar = () =>
  z
    .string({ message: 'expected host:port[,host:port...]' })
    .regex(/^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/, 'expected host:port[,host:port...] such as 127.0.0.1:9092')
    .transform((s) => s.split(','));

/** A `host:port` address (e.g. Temporal's frontend). */
export const hostPortVar = () =>
  z.string({ message: 'expected host:port' }).regex(/^[^\s:]+:\d+$/, 'expected host:port such as 127.0.0.1:7233');

/** A pino log level. */
export const logLevelVar = () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** A positive integer (e.g. milliseconds, counts) from an env string. */
export const positiveIntVar = (defaultValue: number) =>
  z.coerce.number({ message: 'expected a positive integer' }).int().positive().default(defaultValue);

/** A boolean from `true|false|1|0`. */
export const booleanVar = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'expected true or false' })
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');
