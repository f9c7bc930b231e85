import { useState, type FormEvent } from 'react';
import { platformApi, type AuditLogPage } from '@strata/contracts/api';
import { ConsoleApiError } from '../api/console-client';
import { auditQuery, auditRows, NO_AUDIT_FILTERS, type AuditFilters } from '../mapping/platform-admin';
import { Empty, ErrorBox, Loading } from '../components/states';
import { useSession } from '../components/session';

const PAGE = 50;
const OUTCOMES = ['', 'success', 'failure', 'refused'];
const SERVICES = ['', 'ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'];

/**
 * Audit-log search (admins: `audit:read`): actor, action (`resource:action`), resource path prefix,
 * service, outcome and a time range (UTC); newest first, 50 per page. The log is one store, so
 * the registry answers for every service.
 */
export function AuditLogSection() {
  const { client } = useSession();
  const [form, setForm] = useState<AuditFilters>(NO_AUDIT_FILTERS);
  // `befores`: the `before` cursor of each page shown so far (undefined: the newest page).
  const [search, setSearch] = useState<{ filters: AuditFilters; befores: Array<number | undefined> } | undefined>();
  const [result, setResult] = useState<{ state: 'idle' } | { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'ok'; page: AuditLogPage }>({ state: 'idle' });

  const run = async (filters: AuditFilters, befores: Array<number | undefined>) => {
    setSearch({ filters, befores });
    setResult({ state: 'loading' });
    try {
      const query = auditQuery(filters, PAGE, befores[befores.length - 1]);
      setResult({ state: 'ok', page: await client.call(platformApi('registry').auditLog, { query }) });
    } catch (error) {
      setResult({ state: 'error', error });
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(form, [undefined]);
  };
  const field = (key: keyof AuditFilters, label: string, placeholder = '') => (
    <label>
      {label}
      <input value={form[key]} placeholder={placeholder} onChange={(e) => setForm({ ...form, [key]: e.target.value })} />
    </label>
  );
  return (
    <div data-testid="audit-log">
      <h2>Audit log</h2>
      <form className="filters" onSubmit={submit}>
        {field('actor', 'actor', 'key:… or user')}
        {field('action', 'action', 'aliases:write')}
        {field('resource', 'resource starts with', '/registered-models/…')}
        <label>
          service
          <select value={form.service} onChange={(e) => setForm({ ...form, service: e.target.value })}>
            {SERVICES.map((s) => (
              <option key={s} value={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          outcome
          <select value={form.outcome} onChange={(e) => setForm({ ...form, outcome: e.target.value })}>
            {OUTCOMES.map((s) => (
              <option key={s} value={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          since (UTC)
          <input type="datetime-local" value={form.since} onChange={(e) => setForm({ ...form, since: e.target.value })} />
        </label>
        <label>
          until (UTC)
          <input type="datetime-local" value={form.until} onChange={(e) => setForm({ ...form, until: e.target.value })} />
        </label>
        <button type="submit">Search</button>
      </form>
      {result.state === 'loading' && <Loading what="audit records" />}
      {result.state === 'error' &&
        (result.error instanceof ConsoleApiError && result.error.status === 403 ? (
          <Empty>The audit log is for admins (permission audit:read); your role does not have it.</Empty>
        ) : (
          <ErrorBox error={result.error} />
        ))}
      {result.state === 'ok' && search && (
        <>
          {result.page.records.length === 0 ? (
            <Empty>No audit records match.</Empty>
          ) : (
            <table data-testid="audit-table">
              <thead>
                <tr>
                  <th>time (UTC)</th>
                  <th>service</th>
                  <th>actor</th>
                  <th>action</th>
                  <th>request</th>
                  <th>outcome</th>
                  <th>status</th>
                  <th>detail</th>
                </tr>
              </thead>
              <tbody>
                {auditRows(result.page.records).map((r) => (
                  <tr key={r.seq}>
                    <td>{r.at}</td>
                    <td>{r.service}</td>
                    <td>{r.actor}</td>
                    <td>{r.action}</td>
                    <td className="wrap">{r.request}</td>
                    <td className={`outcome-${r.outcome}`}>{r.outcome}</td>
                    <td className="num">{r.status}</td>
                    <td className="wrap">{r.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="pager">
            <button disabled={search.befores.length < 2} onClick={() => void run(search.filters, search.befores.slice(0, -1))}>
              ← newer
            </button>
            <button disabled={result.page.nextBefore === undefined} onClick={() => void run(search.filters, [...search.befores, result.page.nextBefore])}>
              older →
            </button>
          </div>
        </>
      )}
    </div>
  );
}
