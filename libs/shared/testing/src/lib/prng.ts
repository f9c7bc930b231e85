/**
 * mulberry32, the seeded PRNG of `@strata/shared/util-random`, for a test's random data: the same
 * on every run, so a failure reproduces. Reference: `mulberry32(1)()` = 0.6270739405881613.
 */
export { mulberry32 } from '@strata/shared/util-random';
