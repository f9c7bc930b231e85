/** One page of a list the service returns whole (datasets, versions, feature views, dead letters …). */
export interface ListPage<T> {
  items: T[];
  /** 0-based page index, clamped to the last page. */
  page: number;
  /** Number of pages (at least 1, so an empty list shows one empty page). */
  pages: number;
  total: number;
  /** 1-based position of the first and last item shown (0, 0 when empty). */
  from: number;
  to: number;
}

/** Page `page` (0-based) of `items`, `size` per page (the console shows 50, as the models list does). */
export function pageOf<T>(items: readonly T[], page: number, size = 50): ListPage<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const p = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const slice = items.slice(p * size, p * size + size);
  return { items: slice, page: p, pages, total: items.length, from: slice.length ? p * size + 1 : 0, to: p * size + slice.length };
}
