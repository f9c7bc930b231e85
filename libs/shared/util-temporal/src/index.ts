/**
 * @module @strata/shared/util-temporal
 *
 * Temporal client helpers shared by the services that start workflows (training runs, serving
 * batch scoring): `withTemporalDeadline` bounds one client call and turns an unreachable or
 * silent Temporal into a 503 naming it; `superviseWorker` runs a service's in-process worker,
 * restarting it until shutdown. Not for workflow code (imports `@temporalio/client`).
 */
export * from './lib/temporal-deadline';
export * from './lib/supervised-worker';
