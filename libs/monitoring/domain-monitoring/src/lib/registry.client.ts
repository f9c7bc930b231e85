import { Inject, Injectable } from '@nestjs/common';
import { UnavailableError } from '@strata/shared/util-errors';
import { z } from 'zod';
import { ModelVersionSchema, PromotionPolicySchema, RegistryApi } from '@strata/contracts/api';
import { FairnessGateSchema, type FairnessGate } from '@strata/shared/util-model-evaluation';
import { ServiceClient } from '@strata/shared/data-access-strata-client';
import { MONITORING_OPTIONS, type MonitoringOptions } from './monitoring.constants';
import type { DisparityGateVerdict } from './fairness';

/** The fields of a registry model version monitoring reads (the contract's; metrics checked per value below). */
const VersionBody = z.looseObject({
  version: ModelVersionSchema.shape.version,
  metrics: z.record(z.string(), z.unknown()).optional(),
  referenceProfileUri: z.string().min(1).nullable().optional(),
  referenceProfileSha256: z.string().regex(/^[0-9a-fA-F]{64}$/).nullable().optional(),
});

/** What monitoring reads about a model version from the registry. */
export interface RegistryVersionInfo {
  version: number;
  /** Registered metrics (`roc_auc`, `accuracy`, …): the performance baseline. */
  metrics: Record<string, number>;
  referenceProfileUri: string | null;
  referenceProfileSha256: string | null;
}

/** The part of a model's promotion policy the live rollout decision needs. */
export interface LiveRolloutPolicy {
  metric: string;
  direction: 'maximize' | 'minimize';
  rollout: { mode: 'canary' | 'shadow'; minLabeledPerVersion: number } | null;
  /** The fairness gate of both decisions (issue #17; `FairnessGateSchema`), or null: the live decision applies it on the rollout's traffic. */
  fairness: FairnessGate | null;
}

/** Every 4xx status: answers the registry gives the caller to interpret (it returns them as statuses). */
const ANY_4XX: readonly number[] = Array.from({ length: 100 }, (_, i) => 400 + i);

/** Reads model versions from the registry over HTTP (never its tables). */
@Injectable()
export class MonitoringRegistryClient {
  private readonly registry: ServiceClient;

  constructor(@Inject(MONITORING_OPTIONS) options: Pick<MonitoringOptions, 'registryUrl' | 'httpTimeoutMs'>) {
    this.registry = new ServiceClient({ baseUrl: options.registryUrl, service: 'registry', timeoutMs: options.httpTimeoutMs });
  }

  /**
   * `GET /registered-models/{name}/versions/{version}`.
   * @throws NotFoundError, UnavailableError
   */
  async getVersion(name: string, version: number): Promise<RegistryVersionInfo> {
    const body = await this.registry.call(RegistryApi.getModelVersion, { params: { name, version } }, { what: `Model version '${name}@${version}'` });
    const parsed = VersionBody.safeParse(body);
    if (!parsed.success) throw new UnavailableError(`Model version '${name}@${version}': unexpected response from the registry`);
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(parsed.data.metrics ?? {})) if (typeof v === 'number' && Number.isFinite(v)) metrics[k] = v;
    return {
      version: parsed.data.version,
      metrics,
      referenceProfileUri: parsed.data.referenceProfileUri ?? null,
      referenceProfileSha256: parsed.data.referenceProfileSha256?.toLowerCase() ?? null,
    };
  }

  /**
   * `GET /registered-models/{name}/promotion-policy` → the policy, or null when the model has none (404).
   * @throws UnavailableError when the registry cannot be reached, answers 5xx or an unexpected body
   */
  async getPromotionPolicy(name: string): Promise<LiveRolloutPolicy | null> {
    const { status, body } = await this.send(() =>
      this.registry.exchange(RegistryApi.getPromotionPolicy, { params: { name } }, { what: `Promotion policy of model '${name}'`, accept: ANY_4XX }),
    );
    if (status === 404) return null;
    const parsed = PromotionPolicySchema.safeParse(body);
    if (status !== 200 || !parsed.success) throw new UnavailableError(`Promotion policy of model '${name}': registry answered ${status} with an unexpected body`);
    const fairness = parsed.data.fairness ? FairnessGateSchema.safeParse(parsed.data.fairness) : null;
    if (fairness && !fairness.success) throw new UnavailableError(`Promotion policy of model '${name}': its fairness gate is not valid: ${fairness.error.issues[0]?.message ?? 'unknown'}`);
    return { metric: parsed.data.metric, direction: parsed.data.direction, rollout: parsed.data.rollout ?? null, fairness: fairness?.data ?? null };
  }

  /**
   * `POST /registered-models/{name}/rollouts/current/decision` (live evidence of the active
   * rollout; the registry records the decision and promotes or rolls back). Returns the HTTP
   * status: 201 decided; 409 not decidable yet / stale rollout / no rollout policy; 404 no active rollout.
   * @throws UnavailableError when the registry cannot be reached or answers 5xx
   */
  async decideRollout(
    name: string,
    evidence: {
      rolloutId: string; championValue: number | null; challengerValue: number | null; championLabeled: number; challengerLabeled: number;
      /** The challenger's training data cutoff (ISO) the comparison used, or null; and the predictions/labels each side had excluded as at or before it. */
      trainingDataCutoff?: string | null; championExcluded?: { predictions: number; labels: number }; challengerExcluded?: { predictions: number; labels: number };
      /** The disparity gate's verdict on the rollout's traffic (segment config `gate`, issue #17); the registry refuses a promotion whose gate failed. */
      disparity?: DisparityGateVerdict;
    },
    actor: string,
  ): Promise<{ status: number; body: unknown }> {
    return this.send(() =>
      this.registry.exchange(
        RegistryApi.decideLiveRollout,
        { params: { name }, body: evidence },
        { headers: { 'x-strata-actor': actor }, what: `Live decision of the rollout of model '${name}'`, accept: ANY_4XX },
      ),
    );
  }

  /** Status + body of a call whose 4xx answers the caller interprets (5xx, timeouts → UnavailableError); an empty body is null. */
  private async send(call: () => Promise<{ status: number; body: unknown }>): Promise<{ status: number; body: unknown }> {
    const { status, body } = await call();
    return { status, body: body ?? null };
  }

  /**
   * `POST /models/{name}/rollouts/current/rollback` body `{reason}` with `X-Strata-Actor: actor`
   * (the registry's rollout contract). Returns the HTTP status: 2xx rolled back; 404 no active
   * rollout; 409 the rollout changed meanwhile.
   * @throws UnavailableError when the registry cannot be reached or answers 5xx
   */
  async rollbackRollout(name: string, reason: string, actor: string): Promise<{ status: number; body: unknown }> {
    return this.send(() =>
      this.registry.exchange(RegistryApi.rollbackRollout, { params: { name }, body: { reason } }, { headers: { 'x-strata-actor': actor }, what: `Rollback of the rollout of model '${name}'`, accept: ANY_4XX }),
    );
  }
}
