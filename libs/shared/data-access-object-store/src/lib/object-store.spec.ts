import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeObjectStoreContract } from './object-store.contract';
import { LocalObjectStore } from './local-object-store';
import { InMemoryObjectStore } from './in-memory-object-store';
import { withLocalFiles } from './local-file';

const roots: string[] = [];
describeObjectStoreContract('LocalObjectStore', {
  async create() {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-os-'));
    roots.push(root);
    return new LocalObjectStore(root);
  },
  async corrupt(store, key, data) {
    await fs.writeFile((store as LocalObjectStore).pathFor(key), data);
  },
  foreignUri: 'file:///definitely/not/under/root/x',
  async cleanup() {
    for (const r of roots) await fs.rm(r, { recursive: true, force: true });
  },
});

describeObjectStoreContract('InMemoryObjectStore', {
  async create() {
    return new InMemoryObjectStore('t');
  },
  async corrupt(store, key, data) {
    (store as InMemoryObjectStore).corruptForTest(key, data);
  },
  foreignUri: 'memory://other/x',
});

describe('LocalObjectStore specifics', () => {
  it('uses file:// URIs of absolute paths and keeps temp files out of listings', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-os-'));
    try {
      const store = new LocalObjectStore(root);
      const r = await store.put('a b/c.txt', Buffer.from('x'));
      expect(r.uri).toBe(`file://${root}/a%20b/c.txt`);
      expect(await fs.readFile(path.join(root, 'a b', 'c.txt'), 'utf8')).toBe('x');
      expect(store.resolve(r.uri)).toBe('a b/c.txt');
      await fs.mkdir(path.join(root, '.strata-tmp'), { recursive: true });
      await fs.writeFile(path.join(root, '.strata-tmp', 'orphan'), 'x');
      expect((await store.list('')).map((s) => s.key)).toEqual(['a b/c.txt']);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });

  it('withLocalFiles uses file:// in place and spools memory:// objects', async () => {
    const mem = new InMemoryObjectStore('m');
    const { uri } = await mem.put('x.txt', Buffer.from('spooled'));
    let seen = '';
    await withLocalFiles(mem, [uri], async ([p]) => {
      seen = await fs.readFile(p!, 'utf8');
      expect(p!.endsWith('.txt')).toBe(true);
    });
    expect(seen).toBe('spooled');
  });
});
