import type { ApiEndpoint, EndpointInput, EndpointOutput } from '@strata/contracts/api';
import { useSession } from './session';
import { useLoad, type Loaded } from './use-load';

/**
 * Calls one contract endpoint (`@strata/contracts/api`) through the console with the session's
 * credential, again whenever the session, the endpoint's route or `input` (compared as JSON) changes; the latest call
 * wins. Errors are a `ConsoleApiError` naming the service (shown by `<Show>`).
 */
export function useEndpoint<E extends ApiEndpoint>(endpoint: E, input: EndpointInput<E>): Loaded<EndpointOutput<E>> {
  const { client } = useSession();
  // The endpoint by its route, not its identity: `platformApi(service)` builds new endpoint objects on every render.
  return useLoad(() => client.call(endpoint, input), [client, endpoint.service, endpoint.method, endpoint.path, JSON.stringify(input)]);
}
