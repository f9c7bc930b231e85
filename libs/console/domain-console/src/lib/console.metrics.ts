import { getOrCreateHistogram } from '@strata/shared/nest-platform';
import { CONSOLE_SERVICES } from './console-options';

/**
 * Console metrics (prom-client default registry, served on `/metrics` like every service's, with
 * the platform's `http_server_request_duration_seconds` and process metrics).
 *
 * `strata_console_proxy_request_duration_seconds{service,method,status_code}`: time from the
 * console receiving `/api/{service}/…` to the service's whole answer (a streamed file download: to
 * its headers), or to the proxy's own 502/504, seconds. `service` is one of the six, or `unknown` (bounded labels); `status_code` is what the
 * browser got, so 502/504 count the calls a service did not answer.
 */
export const consoleMetrics = {
  proxyDuration: getOrCreateHistogram(
    'strata_console_proxy_request_duration_seconds',
    'Calls proxied by the console to a service, by service, method and answered status, seconds',
    ['service', 'method', 'status_code'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  ),
};

/** Records one proxied call (`seconds` from the request to the answer). */
export function observeProxyCall(service: string, method: string, status: number, seconds: number): void {
  const known = (CONSOLE_SERVICES as readonly string[]).includes(service) ? service : 'unknown';
  consoleMetrics.proxyDuration.observe({ service: known, method: method.toUpperCase(), status_code: String(status) }, seconds);
}
