/**
 * @module @strata/training/activities
 *
 * Temporal activities for training: build set, train, evaluate, upload, register.
 */
export {};
