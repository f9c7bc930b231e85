import { Inject, Injectable } from '@nestjs/common';
import { FeaturesApi } from '@strata/contracts/api';
import { ServiceClient, serviceApi, type ServiceApi } from '@strata/shared/data-access-strata-client';
import type { FeatureViewInfo, RequestValue } from './predict-signature';
import { SERVING_OPTIONS, type ServingOptions } from './serving.constants';

/** Feast feature status of one value (plus the features service's `OUTSIDE_AS_OF`: stored row newer than `as_of`). */
export type FeatureStatus = 'PRESENT' | 'NOT_FOUND' | 'OUTSIDE_MAX_AGE' | 'OUTSIDE_AS_OF' | (string & {});

/** How long the feature repo's views are cached by {@link FeaturesClient.featureViews}, ms. */
export const FEATURE_VIEWS_CACHE_MS = 10_000;

/** One online feature value of one entity. */
export interface OnlineValue {
  value: unknown;
  status: FeatureStatus;
}

/** Online feature retrieval from the features service (`FEATURES_URL`), Feast-compatible. */
@Injectable()
export class FeaturesClient {
  private views: { at: number; views: Promise<FeatureViewInfo[]> } | undefined;

  private readonly features: ServiceApi<typeof FeaturesApi>;

  constructor(@Inject(SERVING_OPTIONS) options: Pick<ServingOptions, 'featuresUrl' | 'httpTimeoutMs'>) {
    this.features = serviceApi(new ServiceClient({ baseUrl: options.featuresUrl, service: 'features', timeoutMs: options.httpTimeoutMs }), FeaturesApi);
  }

  /**
   * `GET /feature-views`: every batch and on-demand view of the feature repo (name, features,
   * request schema), cached {@link FEATURE_VIEWS_CACHE_MS} ms (a failed answer is not cached).
   * @throws UnavailableError when the features service is unreachable, answers 5xx or an unexpected shape.
   */
  featureViews(): Promise<FeatureViewInfo[]> {
    const now = Date.now();
    if (this.views && now - this.views.at < FEATURE_VIEWS_CACHE_MS) return this.views.views;
    const views = (async () => {
      // validated with the contract's schema: an unexpected shape is UnavailableError
      return this.features.listFeatureViews({}, { what: 'Feature views', validate: true });
    })();
    this.views = { at: now, views };
    views.catch(() => {
      if (this.views?.views === views) this.views = undefined;
    });
    return views;
  }

  /**
   * `POST /get-online-features` for ONE entity, `full_feature_names: true`, `as_of` when given,
   * `request_data` (one value per field) for the on-demand views among `refs`: batch-view values
   * and on-demand features in one call, computed by the features service.
   * @param refs feature references `view:feature`.
   * @returns value and status by full name `view__feature` (and by bare name when unambiguous).
   * @throws InvalidArgumentError when the features service answers 4xx (e.g. a request value its
   *   view cannot cast); UnavailableError when it is unreachable or answers 5xx.
   */
  async getOnlineFeatures(refs: string[], entities: Record<string, number | string>, asOf?: string, requestData?: Record<string, RequestValue>): Promise<Map<string, OnlineValue>> {
    const body = {
      features: refs,
      entities: Object.fromEntries(Object.entries(entities).map(([k, v]) => [k, [v]])),
      full_feature_names: true,
      ...(asOf !== undefined ? { as_of: asOf } : {}),
      ...(requestData !== undefined && Object.keys(requestData).length > 0 ? { request_data: Object.fromEntries(Object.entries(requestData).map(([k, v]) => [k, [v]])) } : {}),
    };
    const parsed = { data: await this.features.getOnlineFeatures({ body }, { what: 'Online features', validate: true }) };
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
