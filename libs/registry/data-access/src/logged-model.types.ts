/** Status of an MLflow 3 logged model (MLflow's `LoggedModelStatus` enum names). */
export type LoggedModelStatus = 'LOGGED_MODEL_PENDING' | 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';

/** An MLflow 3 logged model (a model logged in an experiment, with its own artifact location). */
export interface LoggedModel {
  /** `m-<32 hex>`. */
  modelId: string;
  experimentId: string;
  name: string;
  /** Where its files are: `<experiment artifact location>/models/<modelId>/artifacts`. */
  artifactLocation: string;
  status: LoggedModelStatus;
  statusMessage: string | null;
  modelType: string | null;
  sourceRunId: string | null;
  createdBy: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  lifecycleStage: 'active' | 'deleted';
  /** epoch ms */
  creationTimestampMs: number;
  /** epoch ms */
  lastUpdatedTimestampMs: number;
}

/** A filter comparison of a logged-model search (`name`, `model_id`, `source_run_id`, `status`, `model_type`, `tags.<k>`, `params.<k>`). */
export interface LoggedModelFilter {
  column: 'name' | 'model_id' | 'source_run_id' | 'status' | 'model_type' | 'tags' | 'params';
  /** Tag or param key (for `tags` / `params`). */
  key?: string;
  op: '=' | '!=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';
  value: string | string[];
}
