import { safeArtifactPath as safeArtifactPathForBounds, MAX_SEGMENT_BYTES, MAX_PATH_BYTES } from './mlflow-artifacts.paths';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { artifactKeyOf, defaultExperimentArtifactLocation, keyOfMlflowArtifactsUri, safeArtifactPath } from './mlflow-artifacts.paths';
import { MlflowArtifactsService } from './mlflow-artifacts.service';
import { RegistryArtifactStore } from './registry-artifact-store';

describe('mlflow-artifacts paths', () => {
  it('keeps safe relative paths and maps them under mlflow/', () => {
    expect(safeArtifactPath('1/abc/artifacts/model/MLmodel')).toBe('1/abc/artifacts/model/MLmodel');
    expect(safeArtifactPath('1/abc/')).toBe('1/abc');
    expect(safeArtifactPath('', true)).toBe('');
    expect(artifactKeyOf('1/x')).toBe('mlflow/1/x');
    expect(artifactKeyOf('')).toBe('mlflow');
    expect(defaultExperimentArtifactLocation('7')).toBe('mlflow-artifacts:/7');
    expect(defaultExperimentArtifactLocation('7', null)).toBe('mlflow-artifacts:/7');
    expect(defaultExperimentArtifactLocation('7', 'file:///var/lib/mlflow/')).toBe('file:///var/lib/mlflow/7');
  });

  it.each([
    ['../etc/passwd', /"\.\." segments/],
    ['a/../../b', /"\.\." segments/],
    ['/abs/path', /relative/],
    ['a//b', /empty/],
    ['./a', /"\." or/],
    ['a\\b', /NUL/],
    ['a/%2e%2e/b', /percent-encoded/],
    ['a%2Fb', /percent-encoded/],
    ['file:///etc/passwd', /not a URI/],
    ['', /must not be empty/],
  ])('refuses %j with a 400 naming why', (p, why) => {
    expect(() => safeArtifactPath(p)).toThrow(InvalidArgumentError);
    expect(() => safeArtifactPath(p)).toThrow(why);
  });

  it('resolves mlflow-artifacts URIs (with or without authority) and ignores other schemes', () => {
    expect(keyOfMlflowArtifactsUri('mlflow-artifacts:/3/r1/artifacts/model')).toBe('mlflow/3/r1/artifacts/model');
    expect(keyOfMlflowArtifactsUri('mlflow-artifacts:///3/r1')).toBe('mlflow/3/r1');
    expect(keyOfMlflowArtifactsUri('mlflow-artifacts://host:5000/3/r1')).toBe('mlflow/3/r1');
    expect(keyOfMlflowArtifactsUri('mlflow-artifacts:/3/a%20b')).toBe('mlflow/3/a b');
    expect(keyOfMlflowArtifactsUri('file:///tmp/x')).toBeUndefined();
    expect(() => keyOfMlflowArtifactsUri('mlflow-artifacts:/3/../../etc')).toThrow(InvalidArgumentError);
  });
});

describe('MlflowArtifactsService over the file backend', () => {
  let root: string;
  let svc: MlflowArtifactsService;
  let store: RegistryArtifactStore;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-mlflow-artifacts-'));
    store = new RegistryArtifactStore(new LocalObjectStore(root));
    svc = new MlflowArtifactsService(store);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('uploads a stream, lists one level, downloads the same bytes, deletes recursively', async () => {
    const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(4096, i));
    expect(await svc.upload('1/r/artifacts/model/model.pkl', Readable.from(chunks))).toMatchObject({ sizeBytes: 64 * 4096 });
    await svc.upload('1/r/artifacts/model/MLmodel', Readable.from([Buffer.from('flavors: {}\n')]));
    await svc.upload('1/r/artifacts/note.txt', Readable.from([Buffer.from('hi')]));
    expect(fs.readFileSync(path.join(root, 'mlflow/1/r/artifacts/note.txt'), 'utf8')).toBe('hi');

    expect(await svc.list('1/r/artifacts')).toEqual([
      { path: 'model', is_dir: true },
      { path: 'note.txt', is_dir: false, file_size: 2 },
    ]);
    expect(await svc.list('1/r/artifacts/model/')).toEqual([
      { path: 'MLmodel', is_dir: false, file_size: 12 },
      { path: 'model.pkl', is_dir: false, file_size: 64 * 4096 },
    ]);
    expect(await svc.list('')).toEqual([{ path: '1', is_dir: true }]);
    expect(await svc.list('1/r/artifacts/note.txt')).toEqual([]);
    expect(await svc.list('nothing/here')).toEqual([]);

    const { stream, sizeBytes } = await svc.download('1/r/artifacts/model/model.pkl');
    const got: Buffer[] = [];
    for await (const c of stream) got.push(c as Buffer);
    expect(sizeBytes).toBe(64 * 4096);
    expect(Buffer.concat(got).equals(Buffer.concat(chunks))).toBe(true);

    // the registry store resolves the URI a client recorded to the same object
    expect(store.resolve('mlflow-artifacts:/1/r/artifacts/note.txt')).toBe('mlflow/1/r/artifacts/note.txt');

    expect(await svc.delete('1/r/artifacts/model')).toBe(2);
    expect(await svc.list('1/r/artifacts')).toEqual([{ path: 'note.txt', is_dir: false, file_size: 2 }]);
    expect(await svc.delete('1/r/artifacts/model')).toBe(0);
  });

  it('answers 404 for a missing file or a directory, and 400 for traversal', async () => {
    await svc.upload('1/d/f', Readable.from([Buffer.from('x')]));
    await expect(svc.download('1/d/missing')).rejects.toThrow(NotFoundError);
    await expect(svc.download('1/d')).rejects.toThrow("Artifact '1/d' does not exist");
    await expect(svc.upload('../../outside', Readable.from([Buffer.from('x')]))).rejects.toThrow(InvalidArgumentError);
    await expect(svc.list('1/../..')).rejects.toThrow(InvalidArgumentError);
    expect(fs.existsSync(path.join(root, '..', 'outside'))).toBe(false);
  });

  it('answers 409 when the file backend has a directory at the path, or a file where a directory is needed', async () => {
    await svc.upload('1/d/f', Readable.from([Buffer.from('x')]));
    await expect(svc.upload('1/d', Readable.from([Buffer.from('y')]))).rejects.toThrow("Artifact path '1/d' conflicts with an existing directory at that path");
    await expect(svc.upload('1/d/f/g', Readable.from([Buffer.from('y')]))).rejects.toThrow("Artifact path '1/d/f/g' conflicts with an existing file on that path");
    expect(await svc.list('1/d')).toEqual([{ path: 'f', is_dir: false, file_size: 1 }]);
  });

  it('leaves nothing behind when the upload stream fails', async () => {
    async function* failing() {
      yield Buffer.from('partial');
      throw new Error('client went away');
    }
    await expect(svc.upload('1/r/half.bin', failing())).rejects.toThrow(/client went away/);
    expect(await svc.list('1/r')).toEqual([]);
  });
});

describe('safeArtifactPath length bounds', () => {
  const check = safeArtifactPathForBounds;
  it('refuses a segment over 255 bytes of UTF-8 (a zalgo name that is 120 characters but 300 bytes) and a path over 900 bytes, with 400s naming the bound', () => {
    expect(MAX_SEGMENT_BYTES).toBe(255);
    expect(check('a/' + 'x'.repeat(255))).toBe('a/' + 'x'.repeat(255));
    const zalgo = 'o\u0335\u0301'.repeat(50); // 150 characters, 250 bytes: allowed
    expect(Buffer.byteLength(zalgo, 'utf8')).toBe(250);
    expect(check(zalgo)).toBe(zalgo);
    expect(() => check('o\u0335\u0301'.repeat(52))).toThrow(/a segment is longer than 255 bytes/);
    expect(() => check(Array.from({ length: 10 }, () => 'y'.repeat(95)).join('/'))).toThrow(new RegExp(`longer than ${MAX_PATH_BYTES} bytes`));
  });
});
