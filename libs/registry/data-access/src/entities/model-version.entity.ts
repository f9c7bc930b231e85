import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';

/**
 * Row of `model_version`: one immutable version of a registered model, produced by a training
 * run (MLflow `ModelVersion`). Primary key `(name, version)`; `UNIQUE (name, run_id)` makes a
 * retried registration of the same run find the existing version.
 */
@Entity('model_version')
@Unique('model_version_name_run_id_key', ['name', 'runId'])
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

  /** sha256 of the artifact bytes, 64 lowercase hex. */
  @Column({ name: 'artifact_sha256', type: 'char', length: 64 })
  artifactSha256!: string;

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

  /** Always `READY`: a version is only created once its artifact exists. */
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
