import { getMetadataArgsStorage } from 'typeorm';
import { nullableBigintAsNumber } from './bigint-transformer';
import {
  CreatedAtColumn,
  ErrorCodeColumn,
  ErrorMessageColumn,
  FinishedAtColumn,
  JobStatusColumn,
  ModelNameColumn,
  NullableBigintColumn,
  ObjectUriColumn,
  RequestIdColumn,
  Sha256Column,
  UpdatedAtColumn,
  WorkflowIdColumn,
} from './columns';

class Job {
  @WorkflowIdColumn({ unique: true }) workflowId!: string;
  @RequestIdColumn() requestId!: string;
  @ModelNameColumn() modelName!: string;
  @JobStatusColumn() status!: string;
  @JobStatusColumn({ nullable: true }) outcome!: string | null;
  @ErrorCodeColumn(64) errorCode!: string | null;
  @ErrorMessageColumn() errorMessage!: string | null;
  @CreatedAtColumn() createdAt!: Date;
  @UpdatedAtColumn() updatedAt!: Date;
  @FinishedAtColumn() finishedAt!: Date | null;
  @ObjectUriColumn('output_uri') outputUri!: string | null;
  @Sha256Column('output_sha256') outputSha256!: string | null;
  @NullableBigintColumn('row_count') rowCount!: number | null;
}

const options = (property: string) => {
  const found = getMetadataArgsStorage().columns.find((c) => c.target === Job && c.propertyName === property);
  if (!found) throw new Error(`no column for ${property}`);
  const { default: dflt, ...rest } = found.options;
  return { ...rest, ...(dflt === undefined ? {} : { default: typeof dflt === 'function' ? (dflt as () => string)() : dflt }) };
};

describe('entity column decorators', () => {
  it('declare the exact column names and PostgreSQL types', () => {
    expect(options('workflowId')).toEqual({ name: 'workflow_id', type: 'varchar', length: 512, unique: true });
    expect(options('requestId')).toEqual({ name: 'request_id', type: 'varchar', length: 256 });
    expect(options('modelName')).toEqual({ name: 'model_name', type: 'varchar', length: 128 });
    expect(options('status')).toEqual({ type: 'varchar', length: 16 });
    expect(options('outcome')).toEqual({ type: 'varchar', length: 16, nullable: true });
    expect(options('errorCode')).toEqual({ name: 'error_code', type: 'varchar', length: 64, nullable: true });
    expect(options('errorMessage')).toEqual({ name: 'error_message', type: 'text', nullable: true });
    expect(options('createdAt')).toEqual({ name: 'created_at', type: 'timestamptz', default: 'now()' });
    expect(options('updatedAt')).toEqual({ name: 'updated_at', type: 'timestamptz', default: 'now()' });
    expect(options('finishedAt')).toEqual({ name: 'finished_at', type: 'timestamptz', nullable: true });
    expect(options('outputUri')).toEqual({ name: 'output_uri', type: 'text', nullable: true });
    expect(options('outputSha256')).toEqual({ name: 'output_sha256', type: 'varchar', length: 64, nullable: true });
    expect(options('rowCount')).toEqual({ name: 'row_count', type: 'bigint', nullable: true, transformer: nullableBigintAsNumber });
  });

  it('reads a bigint string as a number and keeps null', () => {
    expect(nullableBigintAsNumber.from('9007199254740991')).toBe(9007199254740991);
    expect(nullableBigintAsNumber.from(null)).toBeNull();
    expect(nullableBigintAsNumber.to(42)).toBe(42);
    expect(nullableBigintAsNumber.to(null)).toBeNull();
  });
});
