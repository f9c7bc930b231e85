import { useState } from 'react';
import { Link } from 'react-router';
import { Endpoints } from '../api/console-endpoints';
import { datasetRows, type DatasetRow } from '../mapping/datasets';
import { DataTable, type Column } from '../components/data-table';
import { pageOf } from '../mapping/paging';
import { Pager } from '../components/pager';
import { Empty, Show } from '../components/states';
import { useEndpoint } from '../components/use-endpoint';
import { DataNav } from './data-nav';

/** A dataset: its name opens its versions. */
const DATASET_COLUMNS: ReadonlyArray<Column<DatasetRow>> = [
  { header: 'dataset', cell: (d) => <Link to={`/data/datasets/${encodeURIComponent(d.name)}`}>{d.name}</Link> },
  { header: 'columns', cell: (d) => d.columns, className: 'num' },
  { header: 'description', cell: (d) => d.description },
  { header: 'updated (UTC)', cell: (d) => d.updatedAt },
];

/** Datasets (50 per page) by name, each opening its versions. */
export function DatasetsListView() {
  const [page, setPage] = useState(0);
  const loaded = useEndpoint(Endpoints.listDatasets, {});
  return (
    <section>
      <DataNav />
      <h1>Datasets</h1>
      <Show loaded={loaded} what="datasets">
        {(datasets) => {
          if (datasets.length === 0) return <Empty>No datasets yet. Declare one (`strata datasets apply …`) and ingest a file.</Empty>;
          const shown = pageOf(datasetRows(datasets), page);
          return (
            <>
              <DataTable testId="datasets-table" columns={DATASET_COLUMNS} rows={shown.items} rowKey={(d) => d.name} />
              <Pager page={shown} onPage={setPage} />
            </>
          );
        }}
      </Show>
    </section>
  );
}
