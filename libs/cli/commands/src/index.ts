/**
 * @module @strata/cli/commands
 *
 * The lifecycle commands of the `strata` CLI (init, datasets, features, training-sets, train,
 * runs, search, models, rollout, predict, batch-score, feedback, monitor), built on the
 * services' HTTP APIs through `StrataClient` / `StrataLifecycleApi`. apps/cli wires them:
 *
 * ```ts
 * registerLifecycleCommands(program, cliContext(() => new StrataClient(endpoints, key)));
 * ```
 */
export * from './lib/chart';
export * from './lib/context';
export * from './lib/datasets';
export * from './lib/features';
export * from './lib/init';
export * from './lib/init-infer';
export * from './lib/models';
export * from './lib/models-optimize';
export * from './lib/monitor';
export * from './lib/output';
export * from './lib/parse';
export * from './lib/progress';
export * from './lib/register';
export * from './lib/serving';
export * from './lib/training';
