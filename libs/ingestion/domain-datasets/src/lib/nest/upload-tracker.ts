import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError } from '@strata/shared/util-errors';
import type { UploadStatus } from '@strata/contracts/api';
import type { DatasetFormat } from '../core/dataset-spec';
import type { UploadProgress } from './upload-progress';

/** Progress of one streamed upload, as served by `GET /uploads/{id}`: declared once, in the API contracts (`UploadStatusSchema`). */
export type { UploadStatus };

/** Phase of a streamed upload. */
export type UploadState = UploadStatus['state'];

interface Entry {
  status: UploadStatus;
  live: UploadProgress | undefined;
}

/**
 * In-memory registry of streamed uploads of this process (running ones plus the last
 * `keepFinished` finished ones). Per replica: poll the replica that received the upload.
 */
@Injectable()
export class UploadTracker {
  private readonly entries = new Map<string, Entry>();
  private readonly finished: string[] = [];
  private readonly keepFinished = 200;

  /**
   * Registers a running upload.
   * @throws ConflictError (409) when an upload with this id is still running.
   */
  start(id: string, datasetName: string, format: DatasetFormat | null, totalBytes: number | null, live: UploadProgress): void {
    const prev = this.entries.get(id);
    if (prev && (prev.status.state === 'receiving' || prev.status.state === 'ingesting')) {
      throw new ConflictError(`Upload '${id}' is already running (dataset '${prev.status.datasetName}')`, { details: { uploadId: id } });
    }
    const now = new Date().toISOString();
    this.entries.set(id, {
      live,
      status: {
        id,
        datasetName,
        format,
        state: 'receiving',
        bytesReceived: 0,
        rowsReceived: format === 'parquet' ? null : 0,
        totalBytes,
        percent: totalBytes ? 0 : null,
        startedAt: now,
        updatedAt: now,
        finishedAt: null,
        versionId: null,
        rowsAccepted: null,
        rowsInvalid: null,
        error: null,
      },
    });
  }

  /** The body was fully received; the ingestor is reading, validating and writing. */
  received(id: string): void {
    this.patch(id, { state: 'ingesting' });
  }

  /** Finished successfully: exact row counts from the ingestion. */
  done(id: string, r: { versionId: string; inputRowCount: number; rowsAccepted: number; rowsInvalid: number }): void {
    this.finish(id, { state: 'done', versionId: r.versionId, rowsReceived: r.inputRowCount, rowsAccepted: r.rowsAccepted, rowsInvalid: r.rowsInvalid });
  }

  /** Finished with an error. */
  failed(id: string, error: unknown): void {
    this.finish(id, { state: 'failed', error: error instanceof Error ? error.message : String(error) });
  }

  /** @throws NotFoundError (404) naming the id. */
  get(id: string): UploadStatus {
    const e = this.entries.get(id);
    if (!e) throw new NotFoundError(`Upload '${id}' not found (uploads are tracked in memory by the replica that receives them)`);
    return this.snapshot(e);
  }

  /** Running uploads first (oldest first), then finished ones (most recent first). */
  list(): UploadStatus[] {
    const all = [...this.entries.values()].map((e) => this.snapshot(e));
    const running = all.filter((s) => s.finishedAt === null).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    const done = all.filter((s) => s.finishedAt !== null).sort((a, b) => b.finishedAt!.localeCompare(a.finishedAt!));
    return [...running, ...done];
  }

  private snapshot(e: Entry): UploadStatus {
    const s = e.status;
    if (e.live && s.finishedAt === null) {
      s.bytesReceived = e.live.bytes;
      if (s.format !== 'parquet') s.rowsReceived = Math.max(0, e.live.lines - (s.format === 'csv' ? 1 : 0));
      s.percent = s.totalBytes ? Math.round((1000 * s.bytesReceived) / s.totalBytes) / 10 : null;
    }
    return { ...s };
  }

  private patch(id: string, p: Partial<UploadStatus>): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.snapshot(e);
    Object.assign(e.status, p, { updatedAt: new Date().toISOString() });
  }

  private finish(id: string, p: Partial<UploadStatus>): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.snapshot(e);
    const now = new Date().toISOString();
    Object.assign(e.status, p, { updatedAt: now, finishedAt: now });
    e.live = undefined;
    this.finished.push(id);
    while (this.finished.length > this.keepFinished) {
      const old = this.finished.shift()!;
      if (this.entries.get(old)?.status.finishedAt) this.entries.delete(old);
    }
  }
}
