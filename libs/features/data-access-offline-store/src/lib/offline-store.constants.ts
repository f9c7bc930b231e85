/** DI token for {@link DuckDBOfflineStore} (NestJS `@Inject(OFFLINE_STORE)`). */
export const OFFLINE_STORE = Symbol.for('strata.OfflineStore');
