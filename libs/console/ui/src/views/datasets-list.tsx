import { useState } from 'react';
import { Link } from 'react-router';
import { Endpoints } from '../api/console-endpoints';
import { datasetRows } from '../mapping/datasets';
import { pageOf } from '../mapping/paging';
import { Pager } from '../components/pager';
import { Empty, Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useSession } from '../components/session';
import { DataNav } from './data-nav';

/** Datasets (50 per page) by name, each opening its versions. */
export function DatasetsListView() {
  const { client } = useSession();
  const [page, setPage] = useState(0);
  const loaded = useLoad(() => client.call(Endpoints.listDatasets, {}), [client]);
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
              <table data-testid="datasets-table">
                <thead>
                  <tr>
                    <th>dataset</th>
                    <th>columns</th>
                    <th>description</th>
                    <th>updated (UTC)</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.items.map((d) => (
                    <tr key={d.name}>
                      <td>
                        <Link to={`/data/datasets/${encodeURIComponent(d.name)}`}>{d.name}</Link>
                      </td>
                      <td className="num">{d.columns}</td>
                      <td>{d.description}</td>
                      <td>{d.updatedAt}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager page={shown} onPage={setPage} />
            </>
          );
        }}
      </Show>
    </section>
  );
}
