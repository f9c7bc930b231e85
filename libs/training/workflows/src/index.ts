/**
 * @module @strata/training/workflows
 *
 * Temporal workflows for training (deterministic code only).
 */
export {};
