/** DI token: the service's identity ({@link ServiceIdentity}). */
export const SERVICE_IDENTITY = Symbol('SERVICE_IDENTITY');
/** DI token: the service's prom-client Registry. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** Who this process is: used in logs, metrics labels, Kafka client ids, CloudEvents `source`. */
export interface ServiceIdentity {
  /** Service name, e.g. `registry`. */
  readonly name: string;
  /** Semantic version of the code. */
  readonly version: string;
}
