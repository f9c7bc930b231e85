import { FeaturesApi, RegistryApi } from '@strata/contracts/api';
import { ServiceClient, serviceApi } from '@strata/shared/data-access-strata-client';
import { InvalidArgumentError, UnavailableError } from '@strata/shared/util-errors';

/**
 * Batch scoring over a dataset version computes the model's features the way its training set
 * was built: the features service builds the model's training-set definition (recorded in the
 * version's lineage, `lineage.trainingSet.name`) over the given dataset version: the same
 * point-in-time join, TTLs and on-demand views as training (`POST /training-sets`), and the
 * predictions are made on that output. One definition of each feature, no train/score skew.
 */

/** Endpoints and deadlines of {@link buildModelFeatures}. */
export interface DatasetFeaturesDeps {
  registryUrl: string;
  featuresUrl: string;
  /** Deadline of each HTTP call, ms. */
  httpTimeoutMs: number;
}

/**
 * The training-set definition a model version was trained from (`GET /registered-models/{m}/versions/{v}`
 * → `lineage.trainingSet.name`, or `lineage.trainingSet` when it is a plain name), or undefined when the version records none (e.g. registered by hand).
 * @throws NotFoundError / UnavailableError from the registry call.
 */
export async function trainingSetDefinitionOf(deps: DatasetFeaturesDeps, modelName: string, version: number): Promise<string | undefined> {
  const registry = serviceApi(new ServiceClient({ baseUrl: deps.registryUrl, service: 'registry', timeoutMs: deps.httpTimeoutMs }), RegistryApi);
  const v = await registry.getModelVersion({ params: { name: modelName, version } }, { what: `Model version '${modelName}@${version}'` });
  const ts: unknown = v.lineage['trainingSet'];
  if (typeof ts === 'string') return ts || undefined;
  const name = ts && typeof ts === 'object' ? (ts as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name ? name : undefined;
}

/**
 * Builds the model's features for a dataset version: `POST {features}/training-sets
 * {trainingSet: definition, datasetVersions: [{datasetName, versionId}]}`, then polls
 * `GET /training-sets/{id}` every `pollMs` until SUCCEEDED (→ its Parquet `uri`) or until
 * `deadlineMs` has passed. `resumeBuildId` continues polling a build a previous attempt started
 * (`onBuild` reports the id so the caller can remember it, e.g. as an activity heartbeat).
 * @throws InvalidArgumentError when the features service refuses the build (unknown definition,
 *   a dataset that is not the definition's source, views not materialized) or the build FAILED;
 *   UnavailableError when it is unreachable or the build is still running at the deadline (retry).
 */
export async function buildModelFeatures(
  deps: DatasetFeaturesDeps,
  request: { definition: string; datasetName: string; versionId: string; deadlineMs: number; pollMs?: number; resumeBuildId?: string; onBuild?: (id: string) => void },
): Promise<{ buildId: string; uri: string }> {
  const features = serviceApi(new ServiceClient({ baseUrl: deps.featuresUrl, service: 'features', timeoutMs: deps.httpTimeoutMs }), FeaturesApi);
  const what = `Features of dataset version '${request.datasetName}@${request.versionId}' (training set '${request.definition}')`;
  let id = request.resumeBuildId;
  if (!id) {
    const started = await features.startTrainingSet({ body: { trainingSet: request.definition, datasetVersions: [{ datasetName: request.datasetName, versionId: request.versionId }] } }, { what, validate: true });
    id = started.id;
  }
  request.onBuild?.(id);
  const until = Date.now() + request.deadlineMs;
  for (;;) {
    const got = await features.getTrainingSet({ params: { id } }, { what, validate: true });
    if (got.status === 'SUCCEEDED') {
      if (!got.uri) throw new UnavailableError(`${what}: build ${id} succeeded without a uri`);
      return { buildId: id, uri: got.uri };
    }
    if (got.status === 'FAILED') throw new InvalidArgumentError(`${what}: build ${id} failed: ${got.error ?? 'unknown error'}`);
    if (Date.now() >= until) throw new UnavailableError(`${what}: build ${id} still ${got.status} after ${request.deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, request.pollMs ?? 500));
  }
}
