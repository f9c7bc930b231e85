import { Column, type ColumnOptions } from 'typeorm';
import { nullableBigintAsNumber } from './bigint-transformer';

/**
 * Column decorators for the column kinds several services' tables store the same way. Each one
 * declares exactly the name and PostgreSQL type the tables' migrations create, so an entity that
 * uses it maps to the same column as one spelling the `@Column` out.
 */

/** `workflow_id varchar(512) NOT NULL`: the Temporal workflow id of a job row (`options` adds `unique` or `nullable`). */
export function WorkflowIdColumn(options: Pick<ColumnOptions, 'unique' | 'nullable'> = {}): PropertyDecorator {
  return Column({ name: 'workflow_id', type: 'varchar', length: 512, ...options });
}

/** `request_id varchar(256) NOT NULL`: the client's idempotency key of a job request. */
export function RequestIdColumn(): PropertyDecorator {
  return Column({ name: 'request_id', type: 'varchar', length: 256 });
}

/** `model_name varchar(128) NOT NULL`: the registered model a job row is for. */
export function ModelNameColumn(): PropertyDecorator {
  return Column({ name: 'model_name', type: 'varchar', length: 128 });
}

/** `status varchar(16)`: a job's lifecycle state (RUNNING, COMPLETED, …); NOT NULL unless `options.nullable`. */
export function JobStatusColumn(options: Pick<ColumnOptions, 'nullable'> = {}): PropertyDecorator {
  return Column({ type: 'varchar', length: 16, ...options });
}

/** `error_code varchar(<length>) NULL`: the machine error code of a failed job. */
export function ErrorCodeColumn(length: number): PropertyDecorator {
  return Column({ name: 'error_code', type: 'varchar', length, nullable: true });
}

/** `error_message text NULL`: the human-readable failure of a job. */
export function ErrorMessageColumn(): PropertyDecorator {
  return Column({ name: 'error_message', type: 'text', nullable: true });
}

/** `created_at timestamptz NOT NULL DEFAULT now()`. */
export function CreatedAtColumn(): PropertyDecorator {
  return Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' });
}

/** `updated_at timestamptz NOT NULL DEFAULT now()` (written by the stores on every change). */
export function UpdatedAtColumn(): PropertyDecorator {
  return Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' });
}

/** `finished_at timestamptz NULL`: when a job reached a final state. */
export function FinishedAtColumn(): PropertyDecorator {
  return Column({ name: 'finished_at', type: 'timestamptz', nullable: true });
}

/** `<name> text NULL`: the URI of a stored object (artifact, Parquet file, profile). */
export function ObjectUriColumn(name: string): PropertyDecorator {
  return Column({ name, type: 'text', nullable: true });
}

/** `<name> varchar(64) NULL`: the lowercase hex sha256 of a stored object. */
export function Sha256Column(name: string): PropertyDecorator {
  return Column({ name, type: 'varchar', length: 64, nullable: true });
}

/** `<name> bigint NULL` read as a JS number ({@link nullableBigintAsNumber}): a count of rows or bytes. */
export function NullableBigintColumn(name: string): PropertyDecorator {
  return Column({ name, type: 'bigint', nullable: true, transformer: nullableBigintAsNumber });
}
