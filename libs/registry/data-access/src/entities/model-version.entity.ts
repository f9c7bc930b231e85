import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Row of `model_version`: one immutable version of a registered model, produced by a training
 * run (MLflow `ModelVersion`). Primary key `(name, version)`; the partial unique index
 * `model_version_name_run_id_key` (`(name, run_id) WHERE source IS NULL`) makes a retried
 * native registration of the same run find the existing version (MLflow-API versions may share a run).
 */
@Entity('model_version')
export class ModelVersionEntity {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  /** Version number, ≥ 1, contiguous per model at assignment time. */
  @PrimaryColumn({ type: 'integer' })
  version!: number;

  @Column({ name: 'run_id', type: 'text' })
  runId!: string;

  /** Temporal workflow id of the run, when known. */
  @Column({ name: 'workflow_id', type: 'text', nullable: true })
  workflowId!: string | null;

  /** Where the ONNX artifact lives (`file:///…`, `s3://…`). */
  @Column({ name: 'artifact_uri', type: 'text' })
  artifactUri!: string;

  /** sha256 of the artifact bytes, 64 lowercase hex; null for a non-servable source (MLflow API). */
  @Column({ name: 'artifact_sha256', type: 'char', length: 64, nullable: true })
  artifactSha256!: string | null;

  /** Whether Strata can serve it: an ONNX artifact with a tensor signature found in the artifact store. */
  @Column({ type: 'boolean', default: true })
  servable!: boolean;

  /** Why it cannot be served (null when servable); serving refuses the version with this reason. */
  @Column({ name: 'not_servable_reason', type: 'text', nullable: true })
  notServableReason!: string | null;

  /** MLflow `source` exactly as given to `model-versions/create` (null: registered through the native API). */
  @Column({ type: 'text', nullable: true })
  source!: string | null;

  /** MLflow `run_id` exactly as given to `model-versions/create` ('' when none; null: native API). */
  @Column({ name: 'source_run_id', type: 'text', nullable: true })
  sourceRunId!: string | null;

  /** MLflow's deprecated stage (`None`, `Staging`, `Production`, `Archived`), mirrored on aliases. */
  @Column({ name: 'current_stage', type: 'varchar', length: 32, default: 'None' })
  currentStage!: string;

  /** Last change of the description, tags or stage (null: never changed since `created_at`). */
  @Column({ name: 'updated_at', type: 'timestamptz', nullable: true })
  updatedAt!: Date | null;

  /** Input/output tensors (`{inputs:[{name,type,datatype?,shape?}], outputs:[…]}`). */
  @Column({ type: 'jsonb' })
  signature!: Record<string, unknown>;

  /** Metrics by name: finite numbers, or the strings `"NaN"`, `"Infinity"`, `"-Infinity"`. */
  @Column({ type: 'jsonb' })
  metrics!: Record<string, number | string>;

  /** Trainer parameters (scalars). */
  @Column({ type: 'jsonb' })
  params!: Record<string, unknown>;

  /** `{ datasetVersions, featureViews, trainingSet?, codeVersion? , …}`. */
  @Column({ type: 'jsonb' })
  lineage!: Record<string, unknown>;

  /** Monitoring reference profile (training-data distribution), when produced. */
  @Column({ name: 'reference_profile_uri', type: 'text', nullable: true })
  referenceProfileUri!: string | null;

  @Column({ name: 'reference_profile_sha256', type: 'char', length: 64, nullable: true })
  referenceProfileSha256!: string | null;

  /** MLflow `ModelVersionStatus`: `READY`, `PENDING_REGISTRATION` or `FAILED_REGISTRATION`. */
  @Column({ type: 'varchar', length: 32, default: 'READY' })
  status!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  tags!: Record<string, string>;

  /** Who registered it (`X-Strata-Actor` header, else `anonymous`). */
  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
