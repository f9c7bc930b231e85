import { describe, expect, it, jest } from '@jest/globals';
import { renderToStaticMarkup } from 'react-dom/server';
import { DataTable, type Column } from './data-table';

interface Row {
  name: string;
  value: number;
  state: 'up' | 'down';
}

const rows: Row[] = [
  { name: 'registry', value: 3, state: 'up' },
  { name: 'serving', value: 0, state: 'down' },
];

describe('DataTable', () => {
  it('renders table > thead > tr > th and one tbody tr per row with the cells in column order', () => {
    const columns: Array<Column<Row>> = [
      { header: 'service', cell: (r) => r.name },
      { header: 'value', cell: (r) => r.value, className: 'num' },
      { header: 'state', cell: (r) => r.state, className: (r) => `state-${r.state}`, title: (r) => `is ${r.state}` },
      { cell: () => <button>Show</button> },
    ];
    const html = renderToStaticMarkup(
      <DataTable testId="health-table" columns={columns} rows={rows} rowKey={(r) => r.name} rowTestId={(r) => `health-${r.name}`} rowClassName={(r) => (r.state === 'down' ? 'bad' : undefined)} rowData={(r) => ({ 'data-state': r.state })} />,
    );
    expect(html).toBe(
      '<table data-testid="health-table">' +
        '<thead><tr><th>service</th><th>value</th><th>state</th><th></th></tr></thead>' +
        '<tbody>' +
        '<tr data-testid="health-registry" data-state="up"><td>registry</td><td class="num">3</td><td class="state-up" title="is up">up</td><td><button>Show</button></td></tr>' +
        '<tr data-testid="health-serving" class="bad" data-state="down"><td>serving</td><td class="num">0</td><td class="state-down" title="is down">down</td><td><button>Show</button></td></tr>' +
        '</tbody></table>',
    );
  });

  it('heads each row with a row-header column and leaves out thead when asked', () => {
    const columns: Array<Column<Row>> = [
      { cell: (r) => r.name, rowHeader: true },
      { cell: (r) => r.value, className: 'num' },
    ];
    const html = renderToStaticMarkup(<DataTable testId="run-params" columns={columns} rows={rows.slice(0, 1)} rowKey={(r) => r.name} head={false} />);
    expect(html).toBe('<table data-testid="run-params"><tbody><tr><th scope="row">registry</th><td class="num">3</td></tr></tbody></table>');
  });

  it('makes a sortable header a button with aria-sort and the arrow of the sorted column', () => {
    const onSort = jest.fn();
    const columns: Array<Column<Row>> = [
      { header: '#', cell: (r) => r.name, sort: { order: 'descending', onSort, testId: 'sort-trial' } },
      { header: 'l2', cell: (r) => r.value, sort: { order: 'none', onSort, testId: 'sort-param:l2' } },
    ];
    const html = renderToStaticMarkup(<DataTable testId="trials-table" columns={columns} rows={[]} rowKey={(r) => r.name} />);
    expect(html).toBe(
      '<table data-testid="trials-table"><thead><tr>' +
        '<th aria-sort="descending"><button class="sort" data-testid="sort-trial"># ▼</button></th>' +
        '<th aria-sort="none"><button class="sort" data-testid="sort-param:l2">l2</button></th>' +
        '</tr></thead><tbody></tbody></table>',
    );
  });
});
