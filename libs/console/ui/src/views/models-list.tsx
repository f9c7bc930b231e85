import { useState } from 'react';
import { Link } from 'react-router';
import { Endpoints } from '../api/console-endpoints';
import { modelRows, type ModelRow } from '../mapping/models';
import { DataTable, type Column } from '../components/data-table';
import { Empty, Show } from '../components/states';
import { useEndpoint } from '../components/use-endpoint';

const PAGE = 50;

/** A registered model with its champion and challenger (`—`: alias not set). */
const MODEL_COLUMNS: ReadonlyArray<Column<ModelRow>> = [
  { header: 'model', cell: (m) => <Link to={`/models/${encodeURIComponent(m.name)}`}>{m.name}</Link> },
  { header: 'latest', cell: (m) => `v${m.latestVersion}` },
  { header: 'champion', cell: (m) => (m.champion === null ? '—' : `v${m.champion}`) },
  { header: 'challenger', cell: (m) => (m.challenger === null ? '—' : `v${m.challenger}`) },
  { header: 'other aliases', cell: (m) => m.otherAliases.join(', ') || '—' },
  { header: 'updated (UTC)', cell: (m) => m.updatedAt },
];

/** Registered models (one page of 50 at a time) with their champion and challenger. */
export function ModelsListView() {
  const [tokens, setTokens] = useState<Array<string | undefined>>([undefined]);
  const pageToken = tokens[tokens.length - 1];
  const loaded = useEndpoint(Endpoints.listModels, { query: { limit: PAGE, ...(pageToken ? { pageToken } : {}) } });
  return (
    <section>
      <h1>Models</h1>
      <Show loaded={loaded} what="models">
        {(page) =>
          page.registeredModels.length === 0 ? (
            <Empty>No registered models yet. Train one (`strata train …`) and it appears here.</Empty>
          ) : (
            <>
              <DataTable testId="models-table" columns={MODEL_COLUMNS} rows={modelRows(page.registeredModels)} rowKey={(m) => m.name} />
              <div className="pager">
                <button disabled={tokens.length < 2} onClick={() => setTokens(tokens.slice(0, -1))}>
                  ← previous
                </button>
                <button disabled={!page.nextPageToken} onClick={() => setTokens([...tokens, page.nextPageToken])}>
                  next →
                </button>
              </div>
            </>
          )
        }
      </Show>
    </section>
  );
}
