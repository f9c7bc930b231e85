import { ConsoleApiError } from '../api/console-client';
import { consumerGroupsOf, serviceHealth, type ServiceHealth } from '../mapping/health';
import { DataTable, type Column } from '../components/data-table';
import { Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useSession } from '../components/session';
import { AuditLogSection } from './audit-log';
import { ConsumerGroupsSection } from './consumer-groups';
import { DeadLettersSection } from './dead-letters';

const SERVICES = ['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'];

/** A service's readiness: the problems of a service that is not up; the checks that are up (listed in the tooltip). */
const HEALTH_COLUMNS: ReadonlyArray<Column<ServiceHealth>> = [
  { header: 'service', cell: (r) => r.service },
  { header: 'state', cell: (r) => r.state, className: (r) => `state-${r.state}` },
  { header: 'problems', cell: (r) => r.problems.join('; ') || '—' },
  { header: 'checks', cell: (r) => (r.upChecks.length ? `${r.upChecks.length} up` : '—'), title: (r) => r.upChecks.join('\n') },
];

/** Each service's readiness through the console; a service that is down says which and why. */
export function PlatformPageView() {
  const { client } = useSession();
  const loaded = useLoad(
    () =>
      Promise.all(
        SERVICES.map((s) =>
          client.probe(s, '/health/ready').then(
            (r) => ({ ...serviceHealth(s, r.status, r.body), groups: consumerGroupsOf(s, r.body) }),
            (err: unknown) => ({ ...serviceHealth(s, err instanceof ConsoleApiError ? err.status : 0, { error: err instanceof Error ? err.message : String(err) }), groups: [] }),
          ),
        ),
      ),
    [client],
  );
  return (
    <section>
      <h1>Platform health</h1>
      <Show loaded={loaded} what="service health">
        {(rows) => (
          <>
          <p className="summary" data-testid="health-summary">
            {rows.filter((r) => r.state === 'up').length} of {rows.length} services ready
          </p>
          <DataTable testId="health-table" columns={HEALTH_COLUMNS} rows={rows} rowKey={(r) => r.service} rowTestId={(r) => `health-${r.service}`} rowData={(r) => ({ 'data-state': r.state })} />
          <ConsumerGroupsSection services={rows} />
          </>
        )}
      </Show>
      <DeadLettersSection />
      <AuditLogSection />
    </section>
  );
}
