import type { SelectQueryBuilder, ObjectLiteral } from 'typeorm';
import type { FieldCondition, RegistryOrder, RegistrySearch } from './registry.types';

/**
 * SQL of an MLflow registry search (`registered-models/search`, `model-versions/search`):
 * conditions on columns and jsonb tags, MLflow's operators (`=`, `!=`, `LIKE` case-sensitive,
 * `ILIKE`, `IN`, `NOT IN`), and `order_by`. Values are always bound parameters.
 */
export function whereCondition<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, column: string, c: FieldCondition, param: string): void {
  const list = Array.isArray(c.value) ? c.value : [c.value];
  switch (c.op) {
    case '=':
      qb.andWhere(`${column} = :${param}`, { [param]: list[0] });
      break;
    case '!=':
      qb.andWhere(`${column} IS DISTINCT FROM :${param}`, { [param]: list[0] });
      break;
    case 'LIKE':
    case 'ILIKE':
      qb.andWhere(`${column} ${c.op} :${param}`, { [param]: list[0] });
      break;
    case 'IN':
      if (list.length === 0) qb.andWhere('false');
      else qb.andWhere(`${column} IN (:...${param})`, { [param]: list });
      break;
    case 'NOT IN':
      if (list.length) qb.andWhere(`(${column} IS NULL OR ${column} NOT IN (:...${param}))`, { [param]: list });
      break;
  }
}

/** Adds the conditions of `q` on the columns given per field (`alias.column` SQL). */
export function applySearch<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, alias: string, q: RegistrySearch, columns: { runId?: string; source?: string }): void {
  (q.name ?? []).forEach((c, i) => whereCondition(qb, `${alias}.name`, c, `sn${i}`));
  if (columns.runId) (q.runId ?? []).forEach((c, i) => whereCondition(qb, columns.runId as string, c, `sr${i}`));
  if (columns.source) (q.source ?? []).forEach((c, i) => whereCondition(qb, columns.source as string, c, `ss${i}`));
  (q.version ?? []).forEach((c, i) => whereCondition(qb, `${alias}.version::text`, c, `sv${i}`));
  (q.tags ?? []).forEach((c, i) => {
    // `!=` / `NOT IN` also match a model without the tag (MLflow 3 clients exclude prompts with
    // `tags.mlflow.prompt.is_prompt != 'true'`, which must keep every untagged model); the other
    // operators need the tag.
    qb.setParameter(`stk${i}`, c.key);
    if (c.op !== '!=' && c.op !== 'NOT IN') qb.andWhere(`${alias}.tags ->> :stk${i} IS NOT NULL`);
    whereCondition(qb, `${alias}.tags ->> :stk${i}`, c, `stv${i}`);
  });
}

/** ORDER BY of a search; `columns` maps MLflow's sort keys to SQL. */
export function applyOrder<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, order: RegistryOrder[], columns: Record<RegistryOrder['field'], string>): void {
  order.forEach((o, i) => {
    const sql = columns[o.field];
    if (i === 0) qb.orderBy(sql, o.desc ? 'DESC' : 'ASC');
    else qb.addOrderBy(sql, o.desc ? 'DESC' : 'ASC');
  });
}
