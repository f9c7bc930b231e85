import { Inject, Injectable } from '@nestjs/common';
import { UnavailableError } from '@strata/shared/util-errors';
import { z } from 'zod';
import { requestJson } from '@strata/shared/data-access-strata-client';
import { SERVING_OPTIONS, type ServingOptions } from './serving.constants';

/** Feast feature status of one value. */
export type FeatureStatus = 'PRESENT' | 'NOT_FOUND' | 'OUTSIDE_MAX_AGE' | (string & {});

const OnlineFeaturesBody = z.object({
  metadata: z.object({ feature_names: z.array(z.string()) }),
  results: z.array(
    z.object({
      values: z.array(z.unknown()),
      statuses: z.array(z.string()),
      event_timestamps: z.array(z.unknown()).optional(),
    }),
  ),
});

/** One online feature value of one entity. */
export interface OnlineValue {
  value: unknown;
  status: FeatureStatus;
}

/** Online feature retrieval from the features service (`FEATURES_URL`), Feast-compatible. */
@Injectable()
export class FeaturesClient {
  constructor(@Inject(SERVING_OPTIONS) private readonly options: Pick<ServingOptions, 'featuresUrl' | 'httpTimeoutMs'>) {}

  /**
   * `POST /get-online-features` for ONE entity, `full_feature_names: true`, `as_of` when given.
   * @param refs feature references `view:feature`.
   * @returns value and status by full name `view__feature` (and by bare name when unambiguous).
   * @throws UnavailableError when the features service is unreachable or answers 5xx.
   */
  async getOnlineFeatures(refs: string[], entities: Record<string, number | string>, asOf?: string): Promise<Map<string, OnlineValue>> {
    const body = {
      features: refs,
      entities: Object.fromEntries(Object.entries(entities).map(([k, v]) => [k, [v]])),
      full_feature_names: true,
      ...(asOf !== undefined ? { as_of: asOf } : {}),
    };
    const raw = await requestJson('POST', `${this.options.featuresUrl.replace(/\/+$/, '')}/get-online-features`, {
      body,
      timeoutMs: this.options.httpTimeoutMs,
      what: 'Online features',
    });
    const parsed = OnlineFeaturesBody.safeParse(raw);
    if (!parsed.success) throw new UnavailableError('Online features: unexpected response shape from the features service');
    const out = new Map<string, OnlineValue>();
    parsed.data.metadata.feature_names.forEach((name, i) => {
      const r = parsed.data.results[i];
      if (!r) return;
      const v: OnlineValue = { value: r.values[0], status: (r.statuses[0] ?? 'NOT_FOUND') as FeatureStatus };
      out.set(name, v);
      const bare = name.includes('__') ? name.slice(name.indexOf('__') + 2) : undefined;
      if (bare !== undefined && !out.has(bare)) out.set(bare, v);
    });
    return out;
  }
}
