import { Inject, Injectable } from '@nestjs/common';
import { ObjectNotFoundError, ObjectStoreError, type ObjectBody, type ObjectStore } from '@strata/shared/data-access-object-store';
import { ConflictError, NotFoundError } from '@strata/shared/util-errors';
import type { Readable } from 'node:stream';
import { REGISTRY_ARTIFACT_STORE } from '../registry.options';
import { artifactKeyOf, safeArtifactPath } from './mlflow-artifacts.paths';

/** One entry of an MLflow artifact listing (`FileInfo` of MLflow's `ListArtifacts` response). */
export interface MlflowFileInfo {
  /** Base name of the entry inside the listed directory. */
  path: string;
  is_dir: boolean;
  /** Size in bytes (files only). */
  file_size?: number;
}

/**
 * Files behind MLflow's artifact proxy (`mlflow-artifacts`), in the registry's artifact store
 * under `mlflow/`: streamed uploads (hashed while streaming, atomic: a client that goes away
 * leaves nothing), streamed downloads, one-level listings, recursive deletes. Paths are checked
 * with {@link safeArtifactPath} (traversal refused with 400).
 */
@Injectable()
export class MlflowArtifactsService {
  constructor(@Inject(REGISTRY_ARTIFACT_STORE) private readonly store: ObjectStore) {}

  /**
   * Writes `body` at `path`, replacing any file there. @returns bytes written and their sha256
   * @throws ConflictError (409) when the file backend has a directory at `path` or a file where
   *   `path` needs a directory (S3 has neither: its keys are flat)
   */
  async upload(path: string, body: ObjectBody, contentType?: string): Promise<{ sizeBytes: number; sha256: string }> {
    const safe = safeArtifactPath(path);
    try {
      const r = await this.store.put(artifactKeyOf(safe), body, contentType ? { contentType } : {});
      return { sizeBytes: r.sizeBytes, sha256: r.sha256 };
    } catch (e) {
      const code = (e instanceof ObjectStoreError ? (e.cause as { code?: unknown } | undefined)?.code : undefined) ?? (/\b(EISDIR|ENOTDIR|EEXIST)\b/.exec(String((e as Error)?.message)) ?? [])[1];
      if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'EEXIST')
        throw new ConflictError(`Artifact path '${safe}' conflicts with an existing ${code === 'EISDIR' ? 'directory at that path' : 'file on that path'}`, { cause: e });
      throw e;
    }
  }

  /**
   * Opens the file at `path` as a stream.
   * @throws NotFoundError (404) when no file is there (a directory is not a file)
   */
  async download(path: string): Promise<{ stream: Readable; sizeBytes: number }> {
    const safe = safeArtifactPath(path);
    const key = artifactKeyOf(safe);
    const stat = await this.store.stat(key);
    if (!stat) throw new NotFoundError(`Artifact '${safe}' does not exist`);
    try {
      return { stream: await this.store.getStream(key, { expectedSizeBytes: stat.sizeBytes }), sizeBytes: stat.sizeBytes };
    } catch (e) {
      if (e instanceof ObjectNotFoundError) throw new NotFoundError(`Artifact '${safe}' does not exist`, { cause: e });
      throw e;
    }
  }

  /**
   * Direct children of the directory `path` (`''` = the root), directories first as MLflow's
   * local repository lists them sorted by name; a file or a missing directory lists as `[]`.
   */
  async list(path: string): Promise<MlflowFileInfo[]> {
    const dir = safeArtifactPath(path, true);
    const prefix = `${artifactKeyOf(dir)}/`;
    const children = new Map<string, MlflowFileInfo>();
    for (const o of await this.store.list(prefix)) {
      const rest = o.key.slice(prefix.length);
      const slash = rest.indexOf('/');
      const name = slash < 0 ? rest : rest.slice(0, slash);
      if (slash >= 0) children.set(name, { path: name, is_dir: true });
      else if (!children.has(name)) children.set(name, { path: name, is_dir: false, file_size: o.sizeBytes });
    }
    return [...children.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Deletes the file at `path`, or everything under it when it is a directory; a missing path is not an error. @returns objects deleted */
  async delete(path: string): Promise<number> {
    const key = artifactKeyOf(safeArtifactPath(path));
    const under = await this.store.list(`${key}/`);
    const self = await this.store.stat(key);
    for (const o of under) await this.store.delete(o.key);
    if (self) await this.store.delete(key);
    return under.length + (self ? 1 : 0);
  }
}
