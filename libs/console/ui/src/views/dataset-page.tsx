import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Endpoints } from '../api/console-endpoints';
import { datasetVersionRows, type DatasetVersionRow } from '../mapping/datasets';
import { DataTable, type Column } from '../components/data-table';
import { pageOf } from '../mapping/paging';
import { Pager } from '../components/pager';
import { Empty, Show } from '../components/states';
import { useEndpoint } from '../components/use-endpoint';
import { DataNav } from './data-nav';

/** A version of dataset `name`: its id opens it. */
function versionColumns(name: string): Array<Column<DatasetVersionRow>> {
  return [
    { header: 'version', cell: (v) => <Link to={`/data/datasets/${encodeURIComponent(name)}/versions/${encodeURIComponent(v.versionId)}`}>{v.versionId}</Link> },
    { header: 'created (UTC)', cell: (v) => v.createdAt },
    { header: 'rows', cell: (v) => v.rows, className: 'num' },
    { header: 'size', cell: (v) => v.size, className: 'num' },
    { header: 'content sha256', cell: (v) => v.sha256, className: 'digest' },
    { header: 'policy', cell: (v) => v.policy },
    { header: 'quarantined rows', cell: (v) => v.quarantined, className: 'num' },
    { header: 'extends', cell: (v) => v.parent ?? '—' },
  ];
}

/** A dataset's versions (newest first, 50 per page): rows, size, digest, policy, quarantined rows. */
export function DatasetPageView() {
  const { name = '' } = useParams();
  const [page, setPage] = useState(0);
  const loaded = useEndpoint(Endpoints.listDatasetVersions, { params: { name } });
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
              <DataTable testId="dataset-versions-table" columns={versionColumns(name)} rows={shown.items} rowKey={(v) => v.versionId} rowTestId={(v) => `dataset-version-${v.versionId}`} />
              <Pager page={shown} onPage={setPage} />
            </>
          );
        }}
      </Show>
    </section>
  );
}
