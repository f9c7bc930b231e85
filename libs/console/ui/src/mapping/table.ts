/** How the rows of a table are ordered by one column (the values of the header's `aria-sort`). */
export type SortOrder = 'ascending' | 'descending' | 'none';

/** A table's sort: the column key it is sorted by, and the direction. */
export interface TableSort {
  by: string;
  descending: boolean;
}

/** The order of column `by` under `sort`: `none` when the table is sorted by another column. */
export function sortOrder(sort: TableSort, by: string): SortOrder {
  if (sort.by !== by) return 'none';
  return sort.descending ? 'descending' : 'ascending';
}

/** The arrow a sorted column's header ends with: ` ▼` descending, ` ▲` ascending, nothing otherwise. */
export function sortArrow(order: SortOrder): string {
  return order === 'descending' ? ' ▼' : order === 'ascending' ? ' ▲' : '';
}

/**
 * The sort after a click on column `by`: the same column flips its direction; another column
 * starts in `firstDescending(by)`'s direction (e.g. the metric best-first).
 */
export function nextSort(sort: TableSort, by: string, firstDescending: (by: string) => boolean): TableSort {
  return { by, descending: sort.by === by ? !sort.descending : firstDescending(by) };
}
