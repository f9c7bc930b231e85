import { InvalidArgumentError } from '@strata/shared/util-errors';

/**
 * The strict pattern for names that end up in paths, object-store keys or SQL identifiers
 * (datasets, feature views, models, entities): 1–128 chars, starts with a letter or digit, then
 * letters, digits, `.`, `_`, `-`, and never `..` (no traversal). Same alphabet as
 * `@strata/contracts` `Name`.
 */
export const STRICT_NAME_PATTERN = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Whether `value` is a safe resource name ({@link STRICT_NAME_PATTERN}). */
export function isSafeName(value: unknown): value is string {
  return typeof value === 'string' && STRICT_NAME_PATTERN.test(value);
}

/**
 * Returns `value` when it is a safe name, else throws InvalidArgumentError (400) naming where it
 * came from, e.g. `assertSafeName(params.name, 'path parameter name')`.
 */
export function assertSafeName(value: unknown, where: string): string {
  if (!isSafeName(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
    throw new InvalidArgumentError(`${where} ${shown} is not a valid name: 1-128 chars of letters, digits, ".", "_" or "-", starting with a letter or digit, without ".."`, {
      details: { where, pattern: STRICT_NAME_PATTERN.source },
    });
  }
  return value;
}

/** Quotes a PostgreSQL identifier (schema/table/column) after checking it against the strict pattern. */
export function quoteIdent(identifier: string): string {
  assertSafeName(identifier, 'SQL identifier');
  return `"${identifier.replace(/"/g, '""')}"`;
}

/**
 * Route parameters that carry resource names and are checked against {@link STRICT_NAME_PATTERN}
 * by the platform for every route, before any handler runs (400 naming the parameter).
 */
export const NAME_ROUTE_PARAMS: readonly string[] = ['name', 'model', 'modelName', 'alias', 'datasetName', 'dataset', 'featureView', 'view', 'entity', 'project'];
