import type { ReactNode } from 'react';
import { sortArrow, type SortOrder } from '../mapping/table';

/** A sortable column's header: the order the rows are in by it now, and what a click does. */
export interface ColumnSort {
  /** `none` when the rows are sorted by another column (rendered as the header's `aria-sort`). */
  order: SortOrder;
  /** Called on a click of the header button (the view decides the next sort). */
  onSort: () => void;
  /** `data-testid` of the header button. */
  testId: string;
}

/** One column of a {@link DataTable}: its header cell and the body cell of each row. */
export interface Column<R> {
  /** Content of the `<th>` (omitted: an empty `<th />`). */
  header?: ReactNode;
  /** Content of the row's cell. */
  cell: (row: R) => ReactNode;
  /** Class of the body cell (`num`, `wrap`, `digest`, …), fixed or per row (undefined: none). */
  className?: string | ((row: R) => string | undefined);
  /** Tooltip (`title`) of the body cell, per row (undefined: none). */
  title?: (row: R) => string | undefined;
  /** The body cell heads its row: `<th scope="row">` instead of `<td>` (key/value and measure tables). */
  rowHeader?: boolean;
  /** Makes the header a sort button with `aria-sort` and an arrow on the sorted column. */
  sort?: ColumnSort;
}

/** What a {@link DataTable} shows: the columns in order, the rows in order, and the hooks the browser tests select by. */
export interface DataTableProps<R> {
  /** `data-testid` of the `<table>`. */
  testId: string;
  columns: ReadonlyArray<Column<R>>;
  rows: readonly R[];
  /** A key unique among the rows (React's `key` of the `<tr>`). */
  rowKey: (row: R) => string | number;
  /** `data-testid` of a row's `<tr>`. */
  rowTestId?: (row: R) => string;
  /** Class of a row's `<tr>`. */
  rowClassName?: (row: R) => string | undefined;
  /** Extra `data-*` attributes of a row's `<tr>`, e.g. `{ 'data-state': 'up' }`. */
  rowData?: (row: R) => Record<`data-${string}`, string>;
  /** false: no `<thead>` (a key/value table whose rows head themselves). Default true. */
  head?: boolean;
}

/**
 * A table of rows: `<table data-testid> <thead><tr><th>…` then `<tbody>` with one `<tr>` per row and
 * one `<td>` (or row-heading `<th scope="row">`) per column, in the order given. Columns are keyed
 * by position: give a view's columns in a fixed order (dynamic ones, like metric columns, in place).
 */
export function DataTable<R>({ testId, columns, rows, rowKey, rowTestId, rowClassName, rowData, head = true }: DataTableProps<R>) {
  return (
    <table data-testid={testId}>
      {head && (
        <thead>
          <tr>
            {columns.map((c, i) => (
              <HeaderCell key={i} column={c} />
            ))}
          </tr>
        </thead>
      )}
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} data-testid={rowTestId?.(row)} className={rowClassName?.(row)} {...rowData?.(row)}>
            {columns.map((c, i) => {
              const className = typeof c.className === 'function' ? c.className(row) : c.className;
              return c.rowHeader ? (
                <th key={i} scope="row" className={className} title={c.title?.(row)}>
                  {c.cell(row)}
                </th>
              ) : (
                <td key={i} className={className} title={c.title?.(row)}>
                  {c.cell(row)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function HeaderCell<R>({ column }: { column: Column<R> }) {
  const { header, sort } = column;
  if (!sort) return <th>{header}</th>;
  return (
    <th aria-sort={sort.order}>
      <button className="sort" onClick={sort.onSort} data-testid={sort.testId}>
        {header}
        {sortArrow(sort.order)}
      </button>
    </th>
  );
}
