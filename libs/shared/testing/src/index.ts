/**
 * @module @strata/shared/testing
 *
 * Test harness: real infrastructure endpoints (globalSetup), eventually(), builders.
 */
export {};
