/**
 * The workflow's input/output and activity contract live in `@strata/training/util-run-types`
 * (shared with the activities lib). Workflow code imports them type-only, so the Temporal
 * bundle never loads that module at run time.
 */
export * from '@strata/training/util-run-types';
