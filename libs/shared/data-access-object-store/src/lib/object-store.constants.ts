/** DI token for the {@link ObjectStore} port (NestJS `@Inject(OBJECT_STORE)`). */
export const OBJECT_STORE = Symbol.for('strata.ObjectStore');
