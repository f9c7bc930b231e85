import { Inject, Injectable } from '@nestjs/common';
import { UnavailableError } from '@strata/shared/util-errors';
import { z } from 'zod';
import { fetchFailure, requestJson, serviceAuthHeaders } from '@strata/shared/data-access-strata-client';
import { MONITORING_OPTIONS, type MonitoringOptions } from './monitoring.constants';
import type { DisparityGateVerdict } from './fairness';

const VersionBody = z
  .object({
    version: z.number().int().min(1),
    metrics: z.record(z.string(), z.unknown()).optional(),
    referenceProfileUri: z.string().min(1).nullable().optional(),
    referenceProfileSha256: z.string().regex(/^[0-9a-fA-F]{64}$/).nullable().optional(),
  })
  .passthrough();

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
}

const PolicyBody = z
  .object({
    metric: z.string().min(1),
    direction: z.enum(['maximize', 'minimize']),
    rollout: z.object({ mode: z.enum(['canary', 'shadow']), minLabeledPerVersion: z.number().int().min(1) }).passthrough().nullable().optional(),
  })
  .passthrough();

/** Reads model versions from the registry over HTTP (never its tables). */
@Injectable()
export class MonitoringRegistryClient {
  constructor(@Inject(MONITORING_OPTIONS) private readonly options: Pick<MonitoringOptions, 'registryUrl' | 'httpTimeoutMs'>) {}

  /**
   * `GET /registered-models/{name}/versions/{version}`.
   * @throws NotFoundError, UnavailableError
   */
  async getVersion(name: string, version: number): Promise<RegistryVersionInfo> {
    const body = await requestJson('GET', `${this.options.registryUrl.replace(/\/+$/, '')}/registered-models/${encodeURIComponent(name)}/versions/${version}`, {
      timeoutMs: this.options.httpTimeoutMs,
      what: `Model version '${name}@${version}'`,
    });
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
    const url = `${this.options.registryUrl.replace(/\/+$/, '')}/registered-models/${encodeURIComponent(name)}/promotion-policy`;
    const { status, body } = await this.send('GET', url, undefined, undefined, `Promotion policy of model '${name}'`);
    if (status === 404) return null;
    const parsed = PolicyBody.safeParse(body);
    if (status !== 200 || !parsed.success) throw new UnavailableError(`Promotion policy of model '${name}': registry answered ${status} with an unexpected body`);
    return { metric: parsed.data.metric, direction: parsed.data.direction, rollout: parsed.data.rollout ?? null };
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
    const url = `${this.options.registryUrl.replace(/\/+$/, '')}/registered-models/${encodeURIComponent(name)}/rollouts/current/decision`;
    return this.send('POST', url, evidence, actor, `Live decision of the rollout of model '${name}'`);
  }

  private async send(method: string, url: string, payload: unknown, actor: string | undefined, what: string): Promise<{ status: number; body: unknown }> {
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { ...serviceAuthHeaders(), accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...(actor ? { 'x-strata-actor': actor } : {}) },
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
        signal: AbortSignal.timeout(this.options.httpTimeoutMs),
      });
    } catch (err) {
      throw new UnavailableError(`${what}: registry ${method} ${url} failed: ${fetchFailure(err, this.options.httpTimeoutMs)}`, { cause: err });
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new UnavailableError(`${what}: registry ${method} ${url} failed while reading the answer: ${fetchFailure(err, this.options.httpTimeoutMs)}`, { cause: err });
    }
    if (res.status >= 500) throw new UnavailableError(`${what}: registry answered ${res.status}: ${text.slice(0, 200)}`);
    let body: unknown = null;
    try {
      body = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      body = text;
    }
    return { status: res.status, body };
  }

  /**
   * `POST /models/{name}/rollouts/current/rollback` body `{reason}` with `X-Strata-Actor: actor`
   * (the registry's rollout contract). Returns the HTTP status: 2xx rolled back; 404 no active
   * rollout; 409 the rollout changed meanwhile.
   * @throws UnavailableError when the registry cannot be reached or answers 5xx
   */
  async rollbackRollout(name: string, reason: string, actor: string): Promise<{ status: number; body: unknown }> {
    const url = `${this.options.registryUrl.replace(/\/+$/, '')}/models/${encodeURIComponent(name)}/rollouts/current/rollback`;
    return this.send('POST', url, { reason }, actor, `Rollback of the rollout of model '${name}'`);
  }
}
