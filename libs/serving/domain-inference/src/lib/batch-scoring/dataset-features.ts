import { ServiceClient } from '@strata/shared/data-access-strata-client';
import { InvalidArgumentError, UnavailableError } from '@strata/shared/util-errors';
import { z } from 'zod';

/**
 * Batch scoring over a dataset version computes the model's features the way its training set
 * was built: the features service builds the model's training-set definition (recorded in the
 * version's lineage, `lineage.trainingSet.name`) over the given dataset version: the same
 * point-in-time join, TTLs and on-demand views as training (`POST /training-sets`), and the
 * predictions are made on that output. One definition of each feature, no train/score skew.
 */

const VersionLineageBody = z
  .object({ lineage: z.object({ trainingSet: z.union([z.string().min(1), z.object({ name: z.string().min(1) }).passthrough()]).optional() }).passthrough().nullish() })
  .passthrough();
const BuildBody = z.object({ id: z.string().min(1), status: z.string(), uri: z.string().nullish(), error: z.unknown().optional() }).passthrough();

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
  const registry = new ServiceClient({ baseUrl: deps.registryUrl, service: 'registry', timeoutMs: deps.httpTimeoutMs });
  const { body } = await registry.request('GET', `/registered-models/${encodeURIComponent(modelName)}/versions/${version}`, { what: `Model version '${modelName}@${version}'` });
  const parsed = VersionLineageBody.safeParse(body);
  const ts = parsed.success ? parsed.data.lineage?.trainingSet : undefined;
  return typeof ts === 'string' ? ts : ts?.name;
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
  const features = new ServiceClient({ baseUrl: deps.featuresUrl, service: 'features', timeoutMs: deps.httpTimeoutMs });
  const what = `Features of dataset version '${request.datasetName}@${request.versionId}' (training set '${request.definition}')`;
  let id = request.resumeBuildId;
  if (!id) {
    const started = BuildBody.safeParse(
      (
        await features.request('POST', '/training-sets', {
          body: { trainingSet: request.definition, datasetVersions: [{ datasetName: request.datasetName, versionId: request.versionId }] },
          what,
        })
      ).body,
    );
    if (!started.success) throw new UnavailableError(`${what}: unexpected answer of POST /training-sets`);
    id = started.data.id;
  }
  request.onBuild?.(id);
  const until = Date.now() + request.deadlineMs;
  for (;;) {
    const got = BuildBody.safeParse((await features.request('GET', `/training-sets/${encodeURIComponent(id)}`, { what })).body);
    if (!got.success) throw new UnavailableError(`${what}: unexpected answer of GET /training-sets/${id}`);
    if (got.data.status === 'SUCCEEDED') {
      if (!got.data.uri) throw new UnavailableError(`${what}: build ${id} succeeded without a uri`);
      return { buildId: id, uri: got.data.uri };
    }
    if (got.data.status === 'FAILED') {
      const error = typeof got.data.error === 'string' ? got.data.error : JSON.stringify(got.data.error ?? 'unknown error');
      throw new InvalidArgumentError(`${what}: build ${id} failed: ${error}`);
    }
    if (Date.now() >= until) throw new UnavailableError(`${what}: build ${id} still ${got.data.status} after ${request.deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, request.pollMs ?? 500));
  }
}
