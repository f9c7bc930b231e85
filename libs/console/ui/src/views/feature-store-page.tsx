import { useState } from 'react';
import type { Watermark } from '@strata/contracts/api';
import { ConsoleApiError } from '../api/console-client';
import { Endpoints } from '../api/console-endpoints';
import { entityRows, featureServiceRows, featureViewRows, type EntityRow, type FeatureServiceRow, type FeatureViewRow } from '../mapping/features';
import { DataTable, type Column } from '../components/data-table';
import { pageOf } from '../mapping/paging';
import { Pager } from '../components/pager';
import { Empty, Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useEndpoint } from '../components/use-endpoint';
import { useSession } from '../components/session';
import { DataNav } from './data-nav';

/** A feature view with its freshness; the features in the tooltip of their count, the last run's error in its own. */
const VIEW_COLUMNS: ReadonlyArray<Column<FeatureViewRow>> = [
  { header: 'view', cell: (v) => v.name },
  { header: 'kind', cell: (v) => v.kind },
  { header: 'freshness', cell: (v) => v.freshness, className: (v) => `freshness-${v.freshness}` },
  { header: 'entities', cell: (v) => v.entities },
  { header: 'features', cell: (v) => v.features.length, title: (v) => v.features.join('\n') },
  { header: 'source', cell: (v) => v.source },
  { header: 'TTL', cell: (v) => v.ttl },
  { header: 'watermark (UTC)', cell: (v) => v.watermark },
  { header: 'age', cell: (v) => v.watermarkAge },
  { header: 'materialized until', cell: (v) => v.materializedUntil },
  { header: 'last materialization', cell: (v) => v.lastMaterialization, className: (v) => (v.lastStatus === 'FAILED' ? 'state-degraded' : undefined), title: (v) => v.lastError ?? undefined },
];

const ENTITY_COLUMNS: ReadonlyArray<Column<EntityRow>> = [
  { header: 'entity', cell: (e) => e.name },
  { header: 'join key', cell: (e) => e.joinKey },
  { header: 'type', cell: (e) => e.valueType },
  { header: 'description', cell: (e) => e.description },
];

/** A feature service: its features, grouped by the view they come from. */
const SERVICE_COLUMNS: ReadonlyArray<Column<FeatureServiceRow>> = [
  { header: 'service', cell: (s) => s.name },
  { header: 'features', cell: (s) => s.featureCount, className: 'num' },
  { header: 'by view', cell: (s) => s.byView.join('; '), className: 'wrap' },
  { header: 'description', cell: (s) => s.description },
];

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
  const entities = useEndpoint(Endpoints.listEntities, {});
  const services = useEndpoint(Endpoints.listFeatureServices, {});
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
              <DataTable testId="feature-views-table" columns={VIEW_COLUMNS} rows={shown.items} rowKey={(v) => v.name} rowTestId={(v) => `feature-view-${v.name}`} rowData={(v) => ({ 'data-freshness': v.freshness })} />
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
            <DataTable testId="entities-table" columns={ENTITY_COLUMNS} rows={entityRows(list)} rowKey={(e) => e.name} />
          )
        }
      </Show>
      <h2>Feature services</h2>
      <Show loaded={services} what="feature services">
        {(list) =>
          list.length === 0 ? (
            <Empty>No feature services.</Empty>
          ) : (
            <DataTable testId="feature-services-table" columns={SERVICE_COLUMNS} rows={featureServiceRows(list)} rowKey={(s) => s.name} />
          )
        }
      </Show>
    </section>
  );
}
