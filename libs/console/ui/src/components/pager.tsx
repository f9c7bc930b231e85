import type { ListPage } from '../mapping/paging';

/** Previous / next buttons and `51–100 of 120` for a list paged in the browser (see `pageOf`). */
export function Pager<T>({ page, onPage, testId }: { page: ListPage<T>; onPage: (page: number) => void; testId?: string }) {
  if (page.pages < 2) return null;
  return (
    <div className="pager" data-testid={testId}>
      <button disabled={page.page === 0} onClick={() => onPage(page.page - 1)}>
        ← previous
      </button>
      <span className="hint">
        {page.from}–{page.to} of {page.total}
      </span>
      <button disabled={page.page >= page.pages - 1} onClick={() => onPage(page.page + 1)}>
        next →
      </button>
    </div>
  );
}
