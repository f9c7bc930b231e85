import { Inject, Injectable } from '@nestjs/common';
import { IntegrityError, UnavailableError } from '@strata/shared/util-errors';
import { ModelRolloutChangedV1 } from '@strata/contracts';
import { ModelVersionSchema, RegistryApi, RolloutSchema } from '@strata/contracts/api';
import { ServiceClient, serviceApi, type ServiceApi } from '@strata/shared/data-access-strata-client';
import type { ModelVersionDescriptor } from './model-repository';
import { SERVING_OPTIONS, type ServingOptions } from './serving.constants';

/** The fields of a registry model version serving loads a model from (the contract's, checked at runtime). */
const VersionDescriptorBody = ModelVersionSchema.pick({ version: true, artifactUri: true, artifactSha256: true }).extend({ name: ModelVersionSchema.shape.name.min(1).optional() });

/** The current rollout with its `route` as `ModelRolloutChangedV1` carries it. */
const RolloutBody = RolloutSchema.pick({ rolloutId: true }).extend({ route: ModelRolloutChangedV1.schema.shape.route });
/** The `route` of an active rollout (as in `ModelRolloutChangedV1`). */
export type RolloutRouteBody = NonNullable<ModelRolloutChangedV1['route']>;

/**
 * Reads model versions from the registry (`REGISTRY_URL`) over HTTP, per docs/service-apis.md.
 * Serving never reads the registry's tables.
 */
@Injectable()
export class RegistryClient {
  private readonly client: ServiceClient;
  private readonly registry: ServiceApi<typeof RegistryApi>;

  constructor(@Inject(SERVING_OPTIONS) options: Pick<ServingOptions, 'registryUrl' | 'httpTimeoutMs'>) {
    this.client = new ServiceClient({ baseUrl: options.registryUrl, service: 'registry', timeoutMs: options.httpTimeoutMs });
    this.registry = serviceApi(this.client, RegistryApi);
  }

  /**
   * `GET /registered-models/{name}/versions/{version}`.
   * @throws NotFoundError when the registry does not know it; UnavailableError when unreachable.
   */
  async getVersion(name: string, version: number): Promise<ModelVersionDescriptor> {
    const body = await this.registry.getModelVersion({ params: { name, version } }, { what: `Model version '${name}@${version}'` });
    return this.toDescriptor(name, body);
  }

  /** `GET /registered-models/{name}/aliases/{alias}`; `undefined` when the alias is not set. */
  async getAlias(name: string, alias: string): Promise<ModelVersionDescriptor | undefined> {
    const { status, body } = await this.client.exchange(RegistryApi.getAlias, { params: { name, alias } }, { accept: [404], what: `Alias '${name}@${alias}'` });
    return status === 404 ? undefined : this.toDescriptor(name, body);
  }

  /**
   * `GET /models/{name}/rollouts/current` → the active rollout's `{rolloutId, route}`, or
   * `undefined` when none is active (404).
   */
  async getCurrentRollout(name: string): Promise<{ rolloutId: string; route: RolloutRouteBody } | undefined> {
    const { status, body } = await this.client.exchange(RegistryApi.getCurrentRollout, { params: { name } }, { accept: [404], what: `Current rollout of '${name}'` });
    if (status === 404) return undefined;
    const parsed = RolloutBody.safeParse(body);
    if (!parsed.success || parsed.data.route === null) return undefined;
    return { rolloutId: parsed.data.rolloutId, route: parsed.data.route };
  }

  /**
   * `GET /registered-models` → every model name (follows `nextPageToken`, 1000 per page).
   * @throws UnavailableError when the registry is unreachable or answers 5xx or an unexpected body.
   */
  async listModelNames(): Promise<string[]> {
    const names: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.registry.listModels({ query: { limit: 1000, pageToken } }, { what: 'Registered models', validate: true });
      names.push(...page.registeredModels.map((m) => m.name));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return names;
  }

  private toDescriptor(name: string, body: unknown): ModelVersionDescriptor {
    const parsed = VersionDescriptorBody.safeParse(body);
    if (!parsed.success) throw new UnavailableError(`Model version of '${name}': unexpected response from the registry: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const v = parsed.data;
    // A version registered through the MLflow API from a source Strata cannot serve has no verified artifact:
    // refused with the registry's reason (not retryable: the version never becomes servable).
    if (v.artifactSha256 === null) {
      const reason = (body as { notServableReason?: unknown }).notServableReason;
      throw new IntegrityError(`Model version '${name}@${v.version}' is not servable: ${typeof reason === 'string' ? reason : 'no verified ONNX artifact'}`, { details: { servable: false } });
    }
    return { name: v.name ?? name, version: v.version, artifactUri: v.artifactUri, artifactSha256: v.artifactSha256.toLowerCase() };
  }
}
