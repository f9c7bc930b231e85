import { Transform, type TransformCallback } from 'node:stream';
import { AppError, ErrorCode } from '@strata/shared/util-errors';

/** Progress of a streamed upload: bytes and line breaks seen so far (≈ rows for CSV / NDJSON). */
export interface UploadProgress {
  bytes: number;
  lines: number;
}

/**
 * Pass-through stream that counts bytes and `\n`s, calls `onProgress` every `everyBytes`
 * (and at the end), and fails with PAYLOAD_TOO_LARGE (413) past `maxBytes`.
 */
export function progressStream(opts: { everyBytes: number; maxBytes: number; onProgress: (p: UploadProgress, done: boolean) => void }): Transform & { progress: UploadProgress } {
  const progress: UploadProgress = { bytes: 0, lines: 0 };
  let nextReport = opts.everyBytes;
  const t = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      progress.bytes += chunk.length;
      let i = -1;
      while ((i = chunk.indexOf(10, i + 1)) !== -1) progress.lines++;
      if (progress.bytes > opts.maxBytes) {
        cb(new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `Upload exceeds the limit of ${opts.maxBytes} bytes`, { details: { maxBytes: opts.maxBytes } }));
        return;
      }
      if (progress.bytes >= nextReport) {
        opts.onProgress(progress, false);
        nextReport = progress.bytes + opts.everyBytes;
      }
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      opts.onProgress(progress, true);
      cb();
    },
  });
  return Object.assign(t, { progress });
}
