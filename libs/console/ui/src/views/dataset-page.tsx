import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Endpoints } from '../api/console-endpoints';
import { datasetVersionRows } from '../mapping/datasets';
import { pageOf } from '../mapping/paging';
import { Pager } from '../components/pager';
import { Empty, Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useSession } from '../components/session';
import { DataNav } from './data-nav';

/** A dataset's versions (newest first, 50 per page): rows, size, digest, policy, quarantined rows. */
export function DatasetPageView() {
  const { name = '' } = useParams();
  const { client } = useSession();
  const [page, setPage] = useState(0);
  const loaded = useLoad(() => client.call(Endpoints.listDatasetVersions, { params: { name } }), [client, name]);
  return (
    <section>
      <DataNav />
      <h1>
        <Link to="/data/datasets">Datasets</Link> / {name}
      </h1>
      <Show loaded={loaded} what={`versions of ${name}`}>
        {(versions) => {
          if (versions.length === 0) return <Empty>No versions of {name} yet: ingest a file (`strata datasets ingest {name} …`).</Empty>;
          const shown = pageOf(datasetVersionRows(versions), page);
          return (
            <>
              <p className="summary">{versions.length} versions</p>
              <table data-testid="dataset-versions-table">
                <thead>
                  <tr>
                    <th>version</th>
                    <th>created (UTC)</th>
                    <th>rows</th>
                    <th>size</th>
                    <th>content sha256</th>
                    <th>policy</th>
                    <th>quarantined rows</th>
                    <th>extends</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.items.map((v) => (
                    <tr key={v.versionId} data-testid={`dataset-version-${v.versionId}`}>
                      <td>
                        <Link to={`/data/datasets/${encodeURIComponent(name)}/versions/${encodeURIComponent(v.versionId)}`}>{v.versionId}</Link>
                      </td>
                      <td>{v.createdAt}</td>
                      <td className="num">{v.rows}</td>
                      <td className="num">{v.size}</td>
                      <td className="digest">{v.sha256}</td>
                      <td>{v.policy}</td>
                      <td className="num">{v.quarantined}</td>
                      <td>{v.parent ?? '—'}</td>
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
