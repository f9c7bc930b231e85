import { CreatedAtColumn, ErrorCodeColumn, ErrorMessageColumn, FinishedAtColumn, ModelNameColumn, RequestIdColumn, WorkflowIdColumn } from '@strata/shared/data-access-entity-columns';
import { Column } from 'typeorm';

/**
 * The columns every training record of a workflow for one model has (`training_run`,
 * `training_search`, `retraining_trigger`): the model, the version it registered, its failure and
 * its start/end times. Not a table: the entities extend it and each table has its own copy of
 * these columns (TypeORM concrete-table inheritance), with the names and types of the training
 * migrations.
 */
export abstract class ModelWorkflowRecordColumns {
  @ModelNameColumn()
  modelName!: string;

  /** Registry version number once registered (a search: its best trial's; a trigger: its run's). */
  @Column({ name: 'model_version', type: 'integer', nullable: true })
  modelVersion!: number | null;

  @ErrorMessageColumn()
  errorMessage!: string | null;

  @CreatedAtColumn()
  createdAt!: Date;

  /** When the workflow reached COMPLETED, FAILED or CANCELLED (a trigger: its run). */
  @FinishedAtColumn()
  finishedAt!: Date | null;
}

/**
 * A request for one model run as one Temporal workflow (`training_run`, `training_search`): the
 * record columns plus the workflow id, the request id and the machine error code.
 */
export abstract class ModelWorkflowRequestColumns extends ModelWorkflowRecordColumns {
  /** Temporal workflow id, `train:<modelName>:<requestId>` or `search:<modelName>:<requestId>`. */
  @WorkflowIdColumn()
  workflowId!: string;

  /** The client's idempotency key: `(model_name, request_id)` names one request. */
  @RequestIdColumn()
  requestId!: string;

  /** Machine error code of a failed request (an `ErrorCode`, or the failure type). */
  @ErrorCodeColumn(128)
  errorCode!: string | null;
}
