/**
 * @module @strata/shared/data-access-entity-columns
 *
 * TypeORM column decorators shared by the services' entities (`WorkflowIdColumn`,
 * `JobStatusColumn`, `CreatedAtColumn`, `Sha256Column`, …) and the bigint-as-number transformer:
 * one definition of a column kind several tables store the same way, with exactly the names and
 * types the migrations create.
 */
export * from './lib/bigint-transformer';
export * from './lib/columns';
