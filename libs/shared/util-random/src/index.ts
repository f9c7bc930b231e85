/**
 * @module @strata/shared/util-random
 *
 * Seeded pseudo-random numbers (mulberry32): the same seed gives the same sequence (search trials, test data).
 */
export * from './lib/mulberry32';
