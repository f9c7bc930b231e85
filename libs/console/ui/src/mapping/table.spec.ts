import { nextSort, sortArrow, sortOrder } from './table';
import { shownVersion } from './version-choice';

describe('table sort and version choice', () => {
  it("names a column's order for aria-sort and its header arrow", () => {
    const sort = { by: 'metric', descending: true };
    expect(sortOrder(sort, 'metric')).toBe('descending');
    expect(sortOrder({ by: 'metric', descending: false }, 'metric')).toBe('ascending');
    expect(sortOrder(sort, 'status')).toBe('none');
    expect(sortArrow('descending')).toBe(' ▼');
    expect(sortArrow('ascending')).toBe(' ▲');
    expect(sortArrow('none')).toBe('');
  });

  it('flips the sorted column and starts another one in its first direction', () => {
    const metricFirstDescending = (by: string) => by === 'metric';
    expect(nextSort({ by: 'metric', descending: true }, 'metric', metricFirstDescending)).toEqual({ by: 'metric', descending: false });
    expect(nextSort({ by: 'metric', descending: false }, 'param:l2', metricFirstDescending)).toEqual({ by: 'param:l2', descending: false });
    expect(nextSort({ by: 'param:l2', descending: false }, 'param:l2', metricFirstDescending)).toEqual({ by: 'param:l2', descending: true });
    expect(nextSort({ by: 'trial', descending: false }, 'metric', metricFirstDescending)).toEqual({ by: 'metric', descending: true });
  });

  it('shows the chosen version while the windows have it, else the first listed', () => {
    expect(shownVersion([3, 2, 1], 2)).toBe(2);
    expect(shownVersion([3, 2, 1], 7)).toBe(3);
    expect(shownVersion([3, 2, 1], undefined)).toBe(3);
    expect(shownVersion([], 2)).toBeUndefined();
  });
});
