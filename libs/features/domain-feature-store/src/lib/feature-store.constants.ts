/** DI token of {@link FeatureStoreModuleOptions}. */
export const FEATURE_STORE_OPTIONS = Symbol('FEATURE_STORE_OPTIONS');

/** Options of `FeatureStoreModule.forRoot`. */
export interface FeatureStoreModuleOptions {
  /** Lake root (`STRATA_DATA_DIR`): dataset versions are read from it, `features/<view>/…` and `training-sets/…` written to it. */
  readonly dataDir: string;
  /** Staging directory for DuckDB output (default `os.tmpdir()`). */
  readonly tmpDir?: string;
  /** Online-store upsert batch size (default 500 rows). */
  readonly onlineBatchSize?: number;
  /** Online store: PostgreSQL (default, the service's own schema) or Redis. */
  readonly onlineStore?: { readonly kind: 'postgres' } | { readonly kind: 'redis'; readonly url: string; readonly keyPrefix?: string; /** Deadline of one Redis call, ms (default 3000). */ readonly timeoutMs?: number };
  /** Materialize newly applied / changed feature views over the dataset versions already known (default true). */
  readonly materializeOnApply?: boolean;
  /**
   * Serve `POST /get-online-features` straight from Fastify, without Nest's per-request pipeline
   * (same auth, input rules, logs, metrics; `OnlineFastRoute`). Default true (`FEATURES_FAST_ONLINE_ROUTE`).
   */
  readonly fastOnlineRoute?: boolean;
}
