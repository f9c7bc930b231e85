import type { ValueTransformer } from 'typeorm';

/**
 * Reads a nullable PostgreSQL `bigint` as a JS number (node-postgres returns int8 as a decimal
 * string) and writes numbers as they are. Exact up to 2^53 - 1 (counts of rows and bytes stay
 * far below that); null stays null.
 */
export const nullableBigintAsNumber: ValueTransformer = {
  to: (v: number | null) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};
