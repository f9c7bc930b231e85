import { InvalidArgumentError } from '@strata/shared/util-errors';

/**
 * Where the `mlflow-artifacts` proxy keeps files in the registry's artifact store: every proxied
 * path `<p>` is the object key `mlflow/<p>`. The proxy can reach nothing outside this prefix
 * (model artifacts registered natively, datasets and features stay out of its reach).
 */
export const MLFLOW_ARTIFACTS_KEY_PREFIX = 'mlflow';

/** Longest path segment, bytes of UTF-8 (NAME_MAX of common file systems; S3 keys allow 1024 in all). */
export const MAX_SEGMENT_BYTES = 255;
/** Longest proxied path, bytes of UTF-8 (below S3's 1024-byte key limit with the store's prefix). */
export const MAX_PATH_BYTES = 900;

/** URI scheme MLflow clients resolve against the tracking server (`mlflow-artifacts:/<path>`). */
export const MLFLOW_ARTIFACTS_SCHEME = 'mlflow-artifacts:';

/**
 * Checks a proxied artifact path the way MLflow's server does (`validate_path_is_safe`): relative,
 * no `.`/`..`/empty segment, no backslash, NUL, or percent-encoded dot/slash (double encoding).
 * A trailing `/` is dropped. `''` (the root) is allowed only when `allowRoot`.
 * @returns the normalised path
 * @throws InvalidArgumentError (400) naming the path and why
 */
export function safeArtifactPath(raw: string, allowRoot = false): string {
  const p = raw.replace(/\/+$/, '');
  if (p === '') {
    if (allowRoot) return '';
    throw new InvalidArgumentError('Invalid artifact path: the path must not be empty');
  }
  const bad = (why: string): never => {
    throw new InvalidArgumentError(`Invalid artifact path '${raw}': ${why}`);
  };
  if (p.startsWith('/')) bad('must be relative (no leading "/")');
  if (/[\\\0]/.test(p)) bad('must not contain "\\" or NUL');
  if (/%(2e|2f|5c|25)/i.test(p)) bad('must not contain percent-encoded ".", "/", "\\" or "%"');
  if (/^[a-z][a-z0-9+.-]*:/i.test(p)) bad('must be a path, not a URI');
  for (const s of p.split('/')) if (s === '' || s === '.' || s === '..') bad('must not contain empty, "." or ".." segments');
  // file systems and object stores bound names: a longer one is the client's error (400), not the store's (500)
  for (const s of p.split('/')) if (Buffer.byteLength(s, 'utf8') > MAX_SEGMENT_BYTES) bad(`a segment is longer than ${MAX_SEGMENT_BYTES} bytes (UTF-8)`);
  if (Buffer.byteLength(p, 'utf8') > MAX_PATH_BYTES) bad(`longer than ${MAX_PATH_BYTES} bytes (UTF-8)`);
  return p;
}

/** Object key of a proxied path (`''` → the proxy's root prefix, without a trailing `/`). */
export function artifactKeyOf(path: string): string {
  return path ? `${MLFLOW_ARTIFACTS_KEY_PREFIX}/${path}` : MLFLOW_ARTIFACTS_KEY_PREFIX;
}

/**
 * Default artifact location of a new experiment: `mlflow-artifacts:/<experimentId>`, as an MLflow
 * tracking server started with `--serve-artifacts` gives (clients resolve it to
 * `<tracking uri>/api/2.0/mlflow-artifacts/artifacts/<experimentId>` and upload through the proxy),
 * or `<root>/<experimentId>` when a default artifact root is configured (MLflow's `--default-artifact-root`).
 */
export function defaultExperimentArtifactLocation(experimentId: string, root?: string | null): string {
  return root ? `${root.replace(/\/+$/, '')}/${experimentId}` : `${MLFLOW_ARTIFACTS_SCHEME}/${experimentId}`;
}

/**
 * Object key of an `mlflow-artifacts:` URI (`mlflow-artifacts:/<p>`, `mlflow-artifacts:///<p>` or
 * `mlflow-artifacts://<host>/<p>`; the host, when given, is the tracking server and is ignored),
 * or `undefined` when `uri` has another scheme.
 * @throws InvalidArgumentError (400) for an unsafe path
 */
export function keyOfMlflowArtifactsUri(uri: string): string | undefined {
  if (!uri.startsWith(MLFLOW_ARTIFACTS_SCHEME)) return undefined;
  let rest = uri.slice(MLFLOW_ARTIFACTS_SCHEME.length);
  if (rest.startsWith('//')) rest = rest.slice(2).replace(/^[^/]*/, ''); // authority
  return artifactKeyOf(safeArtifactPath(decodeURIComponentSafe(rest.replace(/^\/+/, '')), true));
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new InvalidArgumentError(`Invalid artifact URI path '${s}': bad percent-encoding`);
  }
}
