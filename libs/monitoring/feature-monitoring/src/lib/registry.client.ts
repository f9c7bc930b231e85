import { Inject, Injectable } from '@nestjs/common';
import { UnavailableError } from '@strata/shared/util-errors';
import { z } from 'zod';
import { requestJson, serviceAuthHeaders } from '@strata/shared/data-access-strata-client';
import { MONITORING_OPTIONS, type MonitoringOptions } from './monitoring.constants';

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
   * `POST /models/{name}/rollouts/current/rollback` body `{reason}` with `X-Strata-Actor: actor`
   * (the registry's rollout contract). Returns the HTTP status: 2xx rolled back; 404 no active
   * rollout; 409 the rollout changed meanwhile.
   * @throws UnavailableError when the registry cannot be reached or answers 5xx
   */
  async rollbackRollout(name: string, reason: string, actor: string): Promise<{ status: number; body: unknown }> {
    const url = `${this.options.registryUrl.replace(/\/+$/, '')}/models/${encodeURIComponent(name)}/rollouts/current/rollback`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { ...serviceAuthHeaders(), 'content-type': 'application/json', accept: 'application/json', 'x-strata-actor': actor },
        body: JSON.stringify({ reason }),
        signal: AbortSignal.timeout(this.options.httpTimeoutMs),
      });
    } catch (err) {
      throw new UnavailableError(`Rollback of the rollout of model '${name}': POST ${url} failed: ${(err as Error).message}`, { cause: err });
    }
    const text = await res.text();
    if (res.status >= 500) throw new UnavailableError(`Rollback of the rollout of model '${name}': registry answered ${res.status}: ${text.slice(0, 200)}`);
    let body: unknown = null;
    try {
      body = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      body = text;
    }
    return { status: res.status, body };
  }
}
