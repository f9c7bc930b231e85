import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError, ErrorCode, InvalidArgumentError } from '@strata/shared/util-errors';

/**
 * MLflow's checks of a `model-versions/create` source (mlflow/server/handlers.py
 * `_validate_source`, MLflow 2.17), with its wording:
 *
 * - a LOCAL source (a plain path or a `file:` URI) is accepted only with a `run_id` whose artifact
 *   directory contains it (else 400 `... To use a local path as a model version source ...`);
 * - a `file://<remote host>/...` URI is refused (500 `... is not a valid remote uri ...`, MLflow's code);
 * - any other source must be an absolute path without relative references (`..`, encoded or not,
 *   NUL bytes): else 400 `Invalid model version source: '<s>'. If supplying a source as an http, https, ...`.
 *
 * Everything else (`runs:/…`, `models:/…`, `mlflow-artifacts:/…`, `s3://…`) is recorded as given.
 */
export function validateMlflowSource(source: string, runArtifactUri: string | null): void {
  if (isLocalUri(source)) {
    if (runArtifactUri && isLocalUri(runArtifactUri)) {
      const src = path.resolve(localPath(source));
      const dir = path.resolve(localPath(runArtifactUri));
      if (src === dir || src.startsWith(`${dir}${path.sep}`)) return;
    }
    throw new InvalidArgumentError(
      `Invalid model version source: '${source}'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.`,
    );
  }
  let decoded = source;
  for (let next = safeDecode(decoded); next !== decoded; next = safeDecode(decoded)) decoded = next;
  const invalid = new InvalidArgumentError(
    `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`,
  );
  const sourcePath = uriPath(decoded).replace(/\/+$/, '').replace(/\/+/g, '/');
  if (sourcePath.includes('\0') || decoded.split('/').some((seg) => seg === '..')) throw invalid;
  // Python: Path(source_path).resolve() must give source_path back (absolute, nothing to normalise).
  if (!sourcePath.startsWith('/') || path.posix.resolve(sourcePath) !== sourcePath) throw invalid;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** `scheme://host/path` → `/path` (Python's urlparse(...).path); a scheme-less string is its own path. */
function uriPath(uri: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(uri);
  if (!m) return uri.split(/[?#]/)[0] ?? '';
  let rest = (m[2] as string).split(/[?#]/)[0] ?? '';
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    rest = slash < 0 ? '' : rest.slice(slash);
  }
  return rest;
}

function hostOf(uri: string): string | null {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(uri);
  if (!m || !m[1]) return null;
  return (m[1].split('@').pop() ?? '').replace(/:\d+$/, '') || null;
}

/** MLflow's `is_local_uri`: no scheme, or `file:` on this host. @throws 500 for `file://<remote host>/...` (as MLflow) */
function isLocalUri(uri: string): boolean {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase() ?? '';
  if (scheme === '') return true;
  const host = hostOf(uri);
  const remote = host !== null && host !== '.' && !host.startsWith('localhost') && !host.startsWith('127.0.0.1');
  if (scheme === 'file') {
    if (remote) {
      throw new AppError(ErrorCode.INTERNAL, `${uri} is not a valid remote uri. For remote access on windows, please consider using a different scheme such as SMB (e.g. smb://<hostname>/<path>).`, {
        details: { mlflowCode: 'INTERNAL_ERROR' },
      });
    }
    return true;
  }
  return false;
}

function localPath(uri: string): string {
  if (!uri.toLowerCase().startsWith('file:')) return uri;
  try {
    return fileURLToPath(uri.replace(/^file:\/\/(localhost|127\.0\.0\.1)/i, 'file://'));
  } catch {
    return uriPath(uri);
  }
}
