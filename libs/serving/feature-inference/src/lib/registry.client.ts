import { Inject, Injectable } from '@nestjs/common';
import { UnavailableError } from '@strata/shared/util-errors';
import { ModelRolloutChangedV1 } from '@strata/contracts';
import { z } from 'zod';
import { requestJson } from '@strata/shared/data-access-strata-client';
import type { ModelVersionDescriptor } from './model-repository';
import { SERVING_OPTIONS, type ServingOptions } from './serving.constants';

const ModelVersionBody = z
  .object({
    name: z.string().min(1).optional(),
    modelName: z.string().min(1).optional(),
    version: z.number().int().min(1),
    artifactUri: z.string().min(1),
    artifactSha256: z.string().regex(/^[0-9a-fA-F]{64}$/),
  })
  .passthrough();

const RolloutBody = z
  .object({ rolloutId: z.string().min(1), route: ModelRolloutChangedV1.schema.shape.route })
  .passthrough();
/** The `route` of an active rollout (as in `ModelRolloutChangedV1`). */
export type RolloutRouteBody = NonNullable<ModelRolloutChangedV1['route']>;

/**
 * Reads model versions from the registry (`REGISTRY_URL`) over HTTP, per docs/service-apis.md.
 * Serving never reads the registry's tables.
 */
@Injectable()
export class RegistryClient {
  constructor(@Inject(SERVING_OPTIONS) private readonly options: Pick<ServingOptions, 'registryUrl' | 'httpTimeoutMs'>) {}

  /**
   * `GET /registered-models/{name}/versions/{version}`.
   * @throws NotFoundError when the registry does not know it; UnavailableError when unreachable.
   */
  async getVersion(name: string, version: number): Promise<ModelVersionDescriptor> {
    const body = await requestJson('GET', `${this.base()}/registered-models/${encodeURIComponent(name)}/versions/${version}`, {
      timeoutMs: this.options.httpTimeoutMs,
      what: `Model version '${name}@${version}'`,
    });
    return this.toDescriptor(name, body);
  }

  /** `GET /registered-models/{name}/aliases/{alias}`; `undefined` when the alias is not set. */
  async getAlias(name: string, alias: string): Promise<ModelVersionDescriptor | undefined> {
    const body = await requestJson('GET', `${this.base()}/registered-models/${encodeURIComponent(name)}/aliases/${encodeURIComponent(alias)}`, {
      timeoutMs: this.options.httpTimeoutMs,
      allow404: true,
      what: `Alias '${name}@${alias}'`,
    });
    return body === undefined ? undefined : this.toDescriptor(name, body);
  }

  /**
   * `GET /models/{name}/rollouts/current` → the active rollout's `{rolloutId, route}`, or
   * `undefined` when none is active (404).
   */
  async getCurrentRollout(name: string): Promise<{ rolloutId: string; route: RolloutRouteBody } | undefined> {
    const body = await requestJson('GET', `${this.base()}/models/${encodeURIComponent(name)}/rollouts/current`, {
      timeoutMs: this.options.httpTimeoutMs,
      allow404: true,
      what: `Current rollout of '${name}'`,
    });
    if (body === undefined) return undefined;
    const parsed = RolloutBody.safeParse(body);
    if (!parsed.success || parsed.data.route === null) return undefined;
    return { rolloutId: parsed.data.rolloutId, route: parsed.data.route };
  }

  /**
   * `GET /registered-models` → model names. Accepts a JSON array or an object with an array
   * under `registeredModels`, `models` or `items`; entries are names or objects with `name`.
   */
  async listModelNames(): Promise<string[]> {
    const body = await requestJson('GET', `${this.base()}/registered-models`, { timeoutMs: this.options.httpTimeoutMs, what: 'Registered models' });
    const list: unknown = Array.isArray(body)
      ? body
      : ((body as Record<string, unknown>)?.['registeredModels'] ?? (body as Record<string, unknown>)?.['models'] ?? (body as Record<string, unknown>)?.['items']);
    if (!Array.isArray(list)) throw new UnavailableError('Registered models: unexpected response shape from the registry');
    return list
      .map((e: unknown) => (typeof e === 'string' ? e : typeof (e as { name?: unknown })?.name === 'string' ? (e as { name: string }).name : undefined))
      .filter((n): n is string => n !== undefined);
  }

  private base(): string {
    return this.options.registryUrl.replace(/\/+$/, '');
  }

  private toDescriptor(name: string, body: unknown): ModelVersionDescriptor {
    const parsed = ModelVersionBody.safeParse(body);
    if (!parsed.success) throw new UnavailableError(`Model version of '${name}': unexpected response from the registry: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const v = parsed.data;
    return { name: v.name ?? v.modelName ?? name, version: v.version, artifactUri: v.artifactUri, artifactSha256: v.artifactSha256.toLowerCase() };
  }
}
