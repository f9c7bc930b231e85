import { formatTime } from '../mapping/format';
import type { ConsumerGroupHealth, ServiceHealth } from '../mapping/health';

/**
 * Every Kafka consumer group of every service, from their `/health/ready` answers: joined or not
 * (and why), topics, restarts, and the offset lag the service last saw (no broker call). A service
 * the console could not reach is one row saying so; one without consumers says it has none.
 */
export function ConsumerGroupsSection({ services }: { services: Array<ServiceHealth & { groups: ConsumerGroupHealth[] }> }) {
  const groups = services.flatMap((s) => s.groups);
  return (
    <section>
      <h2>Consumer groups</h2>
      <p className="summary" data-testid="consumer-groups-summary">
        {groups.filter((g) => g.joined).length} of {groups.length} consumer groups joined
      </p>
      <table data-testid="consumer-groups-table">
        <thead>
          <tr>
            <th>service</th>
            <th>group</th>
            <th>state</th>
            <th>lag (records)</th>
            <th>topics</th>
            <th>restarts</th>
            <th>since (UTC)</th>
            <th>problem</th>
          </tr>
        </thead>
        <tbody>
          {services.map((s) =>
            s.groups.length === 0 ? (
              <tr key={s.service} data-testid={`groups-${s.service}`} data-state={s.state === 'unreachable' ? 'unknown' : 'none'}>
                <td>{s.service}</td>
                <td colSpan={7}>{s.state === 'unreachable' ? 'unknown: the service did not answer' : 'no consumer groups'}</td>
              </tr>
            ) : (
              s.groups.map((g) => (
                <tr key={`${s.service}/${g.groupId}`} data-testid={`group-${s.service}-${g.groupId}`} data-state={g.joined ? 'joined' : 'not-joined'}>
                  <td>{s.service}</td>
                  <td>{g.groupId}</td>
                  <td className={g.joined ? 'state-up' : 'state-degraded'}>{g.joined ? 'joined' : `not joined (${g.state})`}</td>
                  <td data-testid="group-lag" title={g.lagAt ? `over ${g.lagPartitions ?? '?'} partition(s), as of ${formatTime(g.lagAt)}` : 'no batch fetched since the group joined'}>
                    {g.lag ?? '—'}
                  </td>
                  <td>{g.topics.join(', ') || '—'}</td>
                  <td>{g.restarts}</td>
                  <td>{formatTime(g.since)}</td>
                  <td>{g.problem ?? '—'}</td>
                </tr>
              ))
            ),
          )}
        </tbody>
      </table>
    </section>
  );
}
