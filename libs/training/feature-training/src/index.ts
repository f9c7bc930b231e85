/**
 * @module @strata/training/feature-training
 *
 * Training API, Temporal client and worker wiring, training-requested consumer.
 */
export {};
