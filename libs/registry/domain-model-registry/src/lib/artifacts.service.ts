import { Inject, Injectable, Logger } from '@nestjs/common';
import { ArtifactIntegrityFailedV1 } from '@strata/contracts';
import { EventPublisher } from '@strata/messaging';
import type { ModelVersion } from '@strata/registry/data-access';
import { ForeignUriError, ObjectIntegrityError, ObjectNotFoundError, type ObjectStore } from '@strata/shared/data-access-object-store';
import { DatabaseService } from '@strata/shared/nest-platform';
import { IntegrityError, InvalidArgumentError } from '@strata/shared/util-errors';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse as parseYaml } from 'yaml';
import { REGISTRY_ARTIFACT_STORE } from './registry.options';

/** A verified artifact ready to stream. */
export interface VerifiedArtifact {
  /** Verifies again while streaming: a file changed after the first pass errors the stream (the client sees an aborted transfer, never a complete one). */
  stream: Readable;
  sizeBytes: number;
  sha256: string;
  fileName: string;
}

/** A model file found at an MLflow `source`, with what the registry needs to register it. */
export interface ResolvedModelSource {
  artifactUri: string;
  artifactSha256: string;
  /** Tensors parsed from the `MLmodel` file next to the artifact. */
  signature: { inputs: Array<{ name: string; type: string; shape?: number[] }>; outputs: Array<{ name: string; type: string; shape?: number[] }> } | null;
}

/** MLflow dtype / column type → contract tensor type. */
const TYPE_BY_MLFLOW: Record<string, string> = {
  float32: 'float32',
  float: 'float32',
  float64: 'float64',
  double: 'float64',
  int32: 'int32',
  integer: 'int32',
  int64: 'int64',
  long: 'int64',
  bool: 'bool',
  boolean: 'bool',
  str: 'string',
  string: 'string',
  object: 'string',
};

const logger = new Logger('ArtifactsService');

/**
 * Reads model artifacts from the registry's artifact store with sha256 verification: downloads
 * are verified before the first byte is sent (a mismatch or short file → 422 naming the version
 * and both digests) and again while streaming. Each refusal of a missing or altered artifact also
 * raises the alert `strata.platform.artifact-integrity-failed.v1` through the registry's outbox
 * (one event per refused download, in its own transaction; a failure to record the alert is
 * logged and never turns the 422 into something else).
 */
@Injectable()
export class ArtifactsService {
  constructor(
    @Inject(REGISTRY_ARTIFACT_STORE) private readonly store: ObjectStore,
    private readonly database: DatabaseService,
    private readonly publisher: EventPublisher,
  ) {}

  private keyOf(uri: string, what: string): string {
    try {
      return this.store.resolve(uri);
    } catch (e) {
      if (e instanceof ForeignUriError) throw new IntegrityError(`${what} '${uri}' is outside the registry's artifact store; it cannot be read`, { cause: e });
      throw new InvalidArgumentError(`${what} '${uri}' is not a valid artifact URI: ${(e as Error).message}`);
    }
  }

  /**
   * Opens the artifact of `mv` after checking it hashes to `mv.artifactSha256`.
   * @throws IntegrityError (422) when the file is missing, outside the store, truncated or altered
   */
  async openVerified(mv: ModelVersion): Promise<VerifiedArtifact> {
    const ref = `${mv.name}@${mv.version}`;
    if (!mv.servable || mv.artifactSha256 === null) {
      // Registered through the MLflow API from a source Strata cannot serve: refused with the reason recorded then.
      throw new IntegrityError(`Model version '${ref}' is not servable: ${mv.notServableReason ?? 'no verified ONNX artifact'}`, {
        details: { servable: false, reason: mv.notServableReason, source: mv.source },
      });
    }
    const expectedSha256: string = mv.artifactSha256;
    const key = this.keyOf(mv.artifactUri, `Artifact URI of model version '${ref}'`);
    const stat = await this.store.stat(key);
    if (!stat) {
      await this.alert({ ...mv, artifactSha256: expectedSha256 }, 'missing', null, null);
      throw new IntegrityError(`Artifact of model version '${ref}' is missing: ${mv.artifactUri}`, { details: { artifactUri: mv.artifactUri } });
    }
    const actual = await this.sha256Of(key);
    if (actual !== mv.artifactSha256) {
      await this.alert({ ...mv, artifactSha256: expectedSha256 }, 'sha256-mismatch', actual, stat.sizeBytes);
      throw new IntegrityError(
        `Artifact of model version '${ref}' failed verification: sha256 ${actual} (${stat.sizeBytes} bytes) does not match the registered ${mv.artifactSha256}; the file was altered or truncated`,
        { details: { artifactUri: mv.artifactUri, expectedSha256: mv.artifactSha256, actualSha256: actual, sizeBytes: stat.sizeBytes } },
      );
    }
    const stream = await this.store.getStream(key, { expectedSha256, expectedSizeBytes: stat.sizeBytes });
    return { stream, sizeBytes: stat.sizeBytes, sha256: actual, fileName: key.split('/').pop() ?? 'model.onnx' };
  }

  /**
   * Publishes one `ArtifactIntegrityFailedV1` alert for a refused artifact of `mv` (own
   * transaction on the registry's DataSource, through the outbox). Never throws: the refusal
   * (422) is what the caller must see, a failed alert is logged.
   */
  private async alert(mv: ModelVersion & { artifactSha256: string }, reason: ArtifactIntegrityFailedV1['reason'], actualSha256: string | null, sizeBytes: number | null): Promise<void> {
    const event: ArtifactIntegrityFailedV1 = {
      service: 'registry',
      resourceType: 'model-version',
      resource: `${mv.name}@${mv.version}`,
      uri: mv.artifactUri,
      expectedSha256: mv.artifactSha256,
      actualSha256,
      sizeBytes,
      reason,
      detectedAt: new Date().toISOString(),
    };
    try {
      await this.database.getDataSource().transaction((m) => this.publisher.publish(m, ArtifactIntegrityFailedV1, event));
      logger.error({ ...event }, 'artifact refused: integrity alert raised');
    } catch (err) {
      logger.error({ ...event, err: (err as Error).message }, 'artifact refused; the integrity alert could not be recorded');
    }
  }

  private async sha256Of(key: string): Promise<string> {
    const h = createHash('sha256');
    try {
      for await (const chunk of await this.store.getStream(key)) h.update(chunk as Buffer);
    } catch (e) {
      if (e instanceof ObjectNotFoundError || e instanceof ObjectIntegrityError) throw new IntegrityError(`Artifact '${key}' cannot be read: ${e.message}`, { cause: e });
      throw e;
    }
    return h.digest('hex');
  }

  /**
   * Resolves an MLflow `source` (a `file:` URI in the artifact store; a directory means its
   * `model.onnx`) to the model file, its sha256 and the signature of the `MLmodel` file beside it.
   * @throws InvalidArgumentError (400) when nothing readable is there
   */
  async resolveModelSource(source: string): Promise<ResolvedModelSource> {
    const key = this.keyOf(source.replace(/\/+$/, ''), 'Model version source');
    let fileKey = key;
    if (!(await this.store.stat(key))) {
      fileKey = `${key}/model.onnx`;
      if (!(await this.store.stat(fileKey))) throw new InvalidArgumentError(`Model version source '${source}' has no file (nor a model.onnx inside it)`);
    }
    const dir = fileKey.includes('/') ? fileKey.slice(0, fileKey.lastIndexOf('/')) : '';
    const mlmodelKey = dir ? `${dir}/MLmodel` : 'MLmodel';
    const signature = (await this.store.stat(mlmodelKey)) ? parseMlmodelSignature((await this.store.getBuffer(mlmodelKey)).toString('utf8')) : null;
    return { artifactUri: this.store.uriFor(fileKey), artifactSha256: await this.sha256Of(fileKey), signature };
  }
}

/**
 * Parses the `signature` of an MLflow `MLmodel` YAML (tensor-based or column-based inputs/outputs,
 * each a JSON string). @returns null when there is no usable signature
 */
export function parseMlmodelSignature(yamlText: string): ResolvedModelSource['signature'] {
  const doc = parseYaml(yamlText) as { signature?: { inputs?: string; outputs?: string } } | null;
  const sig = doc?.signature;
  if (!sig?.inputs || !sig.outputs) return null;
  const convert = (json: string): Array<{ name: string; type: string; shape?: number[] }> =>
    (JSON.parse(json) as Array<{ name?: string; type?: string; 'tensor-spec'?: { dtype?: string; shape?: number[] } }>).flatMap((t, i) => {
      const raw = t.type === 'tensor' ? t['tensor-spec']?.dtype : t.type;
      const type = raw ? TYPE_BY_MLFLOW[raw] : undefined;
      if (!type) return [];
      return [{ name: t.name ?? `input_${i}`, type, ...(t['tensor-spec']?.shape ? { shape: t['tensor-spec'].shape } : {}) }];
    });
  const inputs = convert(sig.inputs);
  const outputs = convert(sig.outputs);
  return inputs.length && outputs.length ? { inputs, outputs } : null;
}
