import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Row of `model_alias`: a named pointer (`champion`, `challenger`, …) to one version of a model.
 * A foreign key to `model_version` forbids deleting a version an alias points at.
 */
@Entity('model_alias')
export class ModelAliasEntity {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @PrimaryColumn({ type: 'text' })
  alias!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'updated_by', type: 'text' })
  updatedBy!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
