/**
 * @module @strata/monitoring/util-drift
 *
 * Drift statistics: reference profiles, PSI, KS.
 */
export {};
