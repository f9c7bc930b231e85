import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveUiFile } from './static-files';

describe('console static files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-ui-'));
  beforeAll(() => {
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'x');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves build files, index.html for client routes, 404 (null) for a missing asset', () => {
    expect(resolveUiFile(dir, '/assets/index-abc.js?v=1')).toEqual({ file: path.join(dir, 'assets', 'index-abc.js'), contentType: 'text/javascript; charset=utf-8', cacheControl: 'public, max-age=31536000, immutable' });
    expect(resolveUiFile(dir, '/models/adult-income/versions/2/lineage')).toEqual({ file: path.join(dir, 'index.html'), contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' });
    expect(resolveUiFile(dir, '/assets/gone.js')).toBeNull();
  });

  it('never leaves the folder', () => {
    expect(resolveUiFile(dir, '/../../etc/passwd')?.file).toBe(path.join(dir, 'index.html'));
    expect(resolveUiFile(dir, '/%2e%2e/%2e%2e/etc/passwd')?.file).toBe(path.join(dir, 'index.html'));
  });

  it('is undefined when the app is not built', () => {
    expect(resolveUiFile(path.join(dir, 'nothing'), '/')).toBeUndefined();
  });
});
