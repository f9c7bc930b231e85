import { useState } from 'react';
import type { Watermark } from '@strata/contracts/api';
import { ConsoleApiError } from '../api/console-client';
import { Endpoints } from '../api/console-endpoints';
import { entityRows, featureServiceRows, featureViewRows } from '../mapping/features';
import { pageOf } from '../mapping/paging';
import { Pager } from '../components/pager';
import { Empty, Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useSession } from '../components/session';
import { DataNav } from './data-nav';

/**
 * The feature store: feature views (50 per page) with their freshness (watermark, its age, the last
 * materialization run), entities and feature services.
 */
export function FeatureStorePageView() {
  const { client } = useSession();
  const [page, setPage] = useState(0);
  const views = useLoad(async () => {
    const [list, runs] = await Promise.all([client.call(Endpoints.listFeatureViews, {}), client.call(Endpoints.listMaterializations, {})]);
    // A batch view's watermark; 404 = never materialized successfully.
    const batch = list.filter((v) => v.kind !== 'on_demand_feature_view');
    const marks = await Promise.all(
      batch.map((v) =>
        client.call(Endpoints.getWatermark, { params: { name: v.name } }).then(
          (w): [string, Watermark | null] => [v.name, w],
          (err: unknown): [string, Watermark | null] => {
            if (err instanceof ConsoleApiError && err.status === 404) return [v.name, null];
            throw err;
          },
        ),
      ),
    );
    return featureViewRows(list, new Map(marks), runs, Date.now());
  }, [client]);
  const entities = useLoad(() => client.call(Endpoints.listEntities, {}), [client]);
  const services = useLoad(() => client.call(Endpoints.listFeatureServices, {}), [client]);
  return (
    <section>
      <DataNav />
      <h1>Feature store</h1>
      <h2>Feature views</h2>
      <Show loaded={views} what="feature views">
        {(rows) => {
          if (rows.length === 0) return <Empty>No feature views yet: apply a feature repo (`strata features apply …`).</Empty>;
          const shown = pageOf(rows, page);
          return (
            <>
              <table data-testid="feature-views-table">
                <thead>
                  <tr>
                    <th>view</th>
                    <th>kind</th>
                    <th>freshness</th>
                    <th>entities</th>
                    <th>features</th>
                    <th>source</th>
                    <th>TTL</th>
                    <th>watermark (UTC)</th>
                    <th>age</th>
                    <th>materialized until</th>
                    <th>last materialization</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.items.map((v) => (
                    <tr key={v.name} data-testid={`feature-view-${v.name}`} data-freshness={v.freshness}>
                      <td>{v.name}</td>
                      <td>{v.kind}</td>
                      <td className={`freshness-${v.freshness}`}>{v.freshness}</td>
                      <td>{v.entities}</td>
                      <td title={v.features.join('\n')}>{v.features.length}</td>
                      <td>{v.source}</td>
                      <td>{v.ttl}</td>
                      <td>{v.watermark}</td>
                      <td>{v.watermarkAge}</td>
                      <td>{v.materializedUntil}</td>
                      <td className={v.lastStatus === 'FAILED' ? 'state-degraded' : undefined} title={v.lastError ?? undefined}>
                        {v.lastMaterialization}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager page={shown} onPage={setPage} />
            </>
          );
        }}
      </Show>
      <h2>Entities</h2>
      <Show loaded={entities} what="entities">
        {(list) =>
          list.length === 0 ? (
            <Empty>No entities.</Empty>
          ) : (
            <table data-testid="entities-table">
              <thead>
                <tr>
                  <th>entity</th>
                  <th>join key</th>
                  <th>type</th>
                  <th>description</th>
                </tr>
              </thead>
              <tbody>
                {entityRows(list).map((e) => (
                  <tr key={e.name}>
                    <td>{e.name}</td>
                    <td>{e.joinKey}</td>
                    <td>{e.valueType}</td>
                    <td>{e.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
      <h2>Feature services</h2>
      <Show loaded={services} what="feature services">
        {(list) =>
          list.length === 0 ? (
            <Empty>No feature services.</Empty>
          ) : (
            <table data-testid="feature-services-table">
              <thead>
                <tr>
                  <th>service</th>
                  <th>features</th>
                  <th>by view</th>
                  <th>description</th>
                </tr>
              </thead>
              <tbody>
                {featureServiceRows(list).map((s) => (
                  <tr key={s.name}>
                    <td>{s.name}</td>
                    <td className="num">{s.featureCount}</td>
                    <td className="wrap">{s.byView.join('; ')}</td>
                    <td>{s.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </section>
  );
}
