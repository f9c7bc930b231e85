import { useState } from 'react';
import { Link } from 'react-router';
import { Endpoints } from '../api/console-endpoints';
import { modelRows } from '../mapping/models';
import { Empty, Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useSession } from '../components/session';

const PAGE = 50;

/** Registered models (one page of 50 at a time) with their champion and challenger. */
export function ModelsListView() {
  const { client } = useSession();
  const [tokens, setTokens] = useState<Array<string | undefined>>([undefined]);
  const pageToken = tokens[tokens.length - 1];
  const loaded = useLoad(() => client.call(Endpoints.listModels, { query: { limit: PAGE, ...(pageToken ? { pageToken } : {}) } }), [client, pageToken]);
  return (
    <section>
      <h1>Models</h1>
      <Show loaded={loaded} what="models">
        {(page) =>
          page.registeredModels.length === 0 ? (
            <Empty>No registered models yet. Train one (`strata train …`) and it appears here.</Empty>
          ) : (
            <>
              <table data-testid="models-table">
                <thead>
                  <tr>
                    <th>model</th>
                    <th>latest</th>
                    <th>champion</th>
                    <th>challenger</th>
                    <th>other aliases</th>
                    <th>updated (UTC)</th>
                  </tr>
                </thead>
                <tbody>
                  {modelRows(page.registeredModels).map((m) => (
                    <tr key={m.name}>
                      <td>
                        <Link to={`/models/${encodeURIComponent(m.name)}`}>{m.name}</Link>
                      </td>
                      <td>v{m.latestVersion}</td>
                      <td>{m.champion === null ? '—' : `v${m.champion}`}</td>
                      <td>{m.challenger === null ? '—' : `v${m.challenger}`}</td>
                      <td>{m.otherAliases.join(', ') || '—'}</td>
                      <td>{m.updatedAt}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
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
