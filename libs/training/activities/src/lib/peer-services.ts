import { FeaturesApi, IngestionApi, RegistryApi } from '@strata/contracts/api';
import { ServiceClient, serviceApi, type ServiceApi } from '@strata/shared/data-access-strata-client';

/**
 * The training worker's typed clients of the services it calls (contracts in
 * `@strata/contracts/api`): as this worker's service (`STRATA_API_KEY` / `STRATA_API_KEY_FILE`),
 * 30 s deadline per call, domain errors (unreachable/5xx/401/403/429 → retryable UNAVAILABLE;
 * 404 → NOT_FOUND, other 4xx → the peer's code, both non-retryable).
 */
export interface PeerServices {
  ingestion: ServiceApi<typeof IngestionApi>;
  features: ServiceApi<typeof FeaturesApi>;
  registry: ServiceApi<typeof RegistryApi>;
  /** Raw registry client, for calls that accept a non-2xx answer (`exchange`). */
  registryClient: ServiceClient;
}

export function peerServices(urls: { ingestionUrl: string; featuresUrl: string; registryUrl: string }): PeerServices {
  const registryClient = new ServiceClient({ baseUrl: urls.registryUrl, service: 'registry' });
  return {
    ingestion: serviceApi(new ServiceClient({ baseUrl: urls.ingestionUrl, service: 'ingestion' }), IngestionApi),
    features: serviceApi(new ServiceClient({ baseUrl: urls.featuresUrl, service: 'features' }), FeaturesApi),
    registry: serviceApi(registryClient, RegistryApi),
    registryClient,
  };
}
