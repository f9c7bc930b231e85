import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { operatorCredential, readCredentialsEnvFile, serviceAuthHeaders } from './credentials';

describe('operatorCredential', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-creds-'));
  const envFile = path.join(dir, 'credentials.env');
  const keyFile = path.join(dir, 'mine.key');
  fs.writeFileSync(envFile, '# comment\nREGISTRY_STRATA_API_KEY_FILE=/x/registry.key\nSTRATA_API_KEY=sk_fromfile\n#STRATA_API_KEY=sk_commented\n');
  fs.writeFileSync(keyFile, 'sk_fromkeyfile\n');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prefers STRATA_API_KEY, then STRATA_API_KEY_FILE, then the operator key of the credentials file', () => {
    expect(operatorCredential({ STRATA_API_KEY: 'sk_env' }, envFile)).toEqual({ key: 'sk_env', source: 'STRATA_API_KEY' });
    expect(operatorCredential({ STRATA_API_KEY_FILE: keyFile }, envFile)).toEqual({ key: 'sk_fromkeyfile', source: 'STRATA_API_KEY_FILE' });
    expect(operatorCredential({}, envFile)).toEqual({ key: 'sk_fromfile', source: 'credentials-file' });
    expect(operatorCredential({}, path.join(dir, 'missing.env'))).toEqual({ key: undefined, source: 'none' });
    expect(() => operatorCredential({ STRATA_API_KEY: 'a', STRATA_API_KEY_FILE: keyFile }, envFile)).toThrow('STRATA_API_KEY and STRATA_API_KEY_FILE are both set');
  });

  it('parses KEY=value lines and skips comments', () => {
    expect(readCredentialsEnvFile(envFile)).toEqual({ REGISTRY_STRATA_API_KEY_FILE: '/x/registry.key', STRATA_API_KEY: 'sk_fromfile' });
  });

  it('builds a bearer header from an explicit environment', () => {
    expect(serviceAuthHeaders({ STRATA_API_KEY: 'sk_abc' })).toEqual({ authorization: 'Bearer sk_abc' });
    expect(serviceAuthHeaders({})).toEqual({});
  });
});
