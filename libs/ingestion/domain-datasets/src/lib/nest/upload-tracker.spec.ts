import { ConflictError, NotFoundError } from '@strata/shared/util-errors';
import { UploadTracker } from './upload-tracker';

describe('UploadTracker', () => {
  it('reports live bytes and rows (CSV header excluded, percent of Content-Length), then exact results', () => {
    const t = new UploadTracker();
    const live = { bytes: 0, lines: 0 };
    t.start('u1', 'trips', 'csv', 2000, live);
    expect(t.get('u1')).toMatchObject({ state: 'receiving', bytesReceived: 0, rowsReceived: 0, percent: 0 });
    live.bytes = 500;
    live.lines = 11;
    expect(t.get('u1')).toMatchObject({ bytesReceived: 500, rowsReceived: 10, totalBytes: 2000, percent: 25 });
    expect(() => t.start('u1', 'trips', 'csv', null, live)).toThrow(ConflictError);
    t.received('u1');
    expect(t.get('u1').state).toBe('ingesting');
    t.done('u1', { versionId: 'abc', inputRowCount: 42, rowsAccepted: 40, rowsInvalid: 2 });
    live.bytes = 999_999; // no longer read once finished
    expect(t.get('u1')).toMatchObject({ state: 'done', bytesReceived: 500, rowsReceived: 42, rowsAccepted: 40, rowsInvalid: 2, versionId: 'abc' });
    expect(() => t.get('nope')).toThrow(NotFoundError);
  });

  it('parquet rows are unknown while receiving; failures keep the message; running uploads are listed first', () => {
    const t = new UploadTracker();
    t.start('p', 'd', 'parquet', null, { bytes: 7, lines: 3 });
    t.start('f', 'd', 'ndjson', null, { bytes: 1, lines: 1 });
    t.failed('f', new Error('boom'));
    expect(t.get('p')).toMatchObject({ rowsReceived: null, bytesReceived: 7, percent: null });
    expect(t.get('f')).toMatchObject({ state: 'failed', error: 'boom', rowsReceived: 1 });
    expect(t.list().map((s) => s.id)).toEqual(['p', 'f']);
  });
});
