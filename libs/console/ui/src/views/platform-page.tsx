import { ConsoleApiError } from '../api/console-client';
import { consumerGroupsOf, serviceHealth } from '../mapping/health';
import { Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useSession } from '../components/session';
import { AuditLogSection } from './audit-log';
import { ConsumerGroupsSection } from './consumer-groups';
import { DeadLettersSection } from './dead-letters';

const SERVICES = ['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'];

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
          <table data-testid="health-table">
            <thead>
              <tr>
                <th>service</th>
                <th>state</th>
                <th>problems</th>
                <th>checks</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.service} data-testid={`health-${r.service}`} data-state={r.state}>
                  <td>{r.service}</td>
                  <td className={`state-${r.state}`}>{r.state}</td>
                  <td>{r.problems.join('; ') || '—'}</td>
                  <td title={r.upChecks.join('\n')}>{r.upChecks.length ? `${r.upChecks.length} up` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ConsumerGroupsSection services={rows} />
          </>
        )}
      </Show>
      <DeadLettersSection />
      <AuditLogSection />
    </section>
  );
}
