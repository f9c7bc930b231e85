import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { progressStream, type UploadProgress } from './upload-progress';

describe('progressStream', () => {
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

  it('counts bytes and lines and reports along the way and at the end', async () => {
    const reports: Array<UploadProgress & { done: boolean }> = [];
    const p = progressStream({ everyBytes: 10, maxBytes: 1000, onProgress: (x, done) => reports.push({ ...x, done }) });
    await pipeline(Readable.from([Buffer.from('a,b\n1,2\n'), Buffer.from('3,4\n5,6\n7,8\n')]), p, sink());
    expect(p.progress).toEqual({ bytes: 20, lines: 5 });
    expect(reports.at(-1)).toEqual({ bytes: 20, lines: 5, done: true });
    expect(reports.filter((r) => !r.done).length).toBeGreaterThanOrEqual(1);
  });

  it('fails with PAYLOAD_TOO_LARGE past the limit', async () => {
    const p = progressStream({ everyBytes: 1000, maxBytes: 5, onProgress: () => undefined });
    await expect(pipeline(Readable.from([Buffer.from('0123456789')]), p, sink())).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });
});
