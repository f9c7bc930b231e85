import fs from 'node:fs';
import path from 'node:path';

/** Content types of the files a Vite build writes. */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  file: string;
  contentType: string;
  /** Hashed build assets are immutable; index.html must be revalidated. */
  cacheControl: string;
}

/**
 * Resolves a URL path of the single-page app to a file of `uiDir`: an existing file under it
 * (never outside: `..` and absolute paths resolve to index.html), else `index.html` (client-side
 * routes such as `/models/adult-income`), except under `/assets/` where a missing file is `null`
 * (404: a stale hashed asset must not be answered with HTML). Undefined when the app is not built.
 */
export function resolveUiFile(uiDir: string, urlPath: string): StaticFile | null | undefined {
  const root = path.resolve(uiDir);
  const index = path.join(root, 'index.html');
  if (!fs.existsSync(index)) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    decoded = '/';
  }
  const candidate = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  const inside = candidate.startsWith(root + path.sep);
  const exists = inside && fs.existsSync(candidate) && fs.statSync(candidate).isFile();
  if (!exists && decoded.startsWith('/assets/')) return null;
  const file = exists ? candidate : index;
  const ext = path.extname(file).toLowerCase();
  return {
    file,
    contentType: TYPES[ext] ?? 'application/octet-stream',
    cacheControl: file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
}
