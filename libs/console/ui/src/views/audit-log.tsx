import { useState, type FormEvent } from 'react';
import { platformApi, type AuditLogPage } from '@strata/contracts/api';
import { ConsoleApiError } from '../api/console-client';
import { auditQuery, auditRows, NO_AUDIT_FILTERS, type AuditFilters, type AuditRow } from '../mapping/platform-admin';
import { DataTable, type Column } from '../components/data-table';
import { Empty, ErrorBox, Loading } from '../components/states';
import { useSession } from '../components/session';

const PAGE = 50;
const OUTCOMES = ['', 'success', 'failure', 'refused'];
const SERVICES = ['', 'ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'];

/** One audited call: who did what to which resource, its outcome and HTTP status, and why (or what it changed). */
const AUDIT_COLUMNS: ReadonlyArray<Column<AuditRow>> = [
  { header: 'time (UTC)', cell: (r) => r.at },
  { header: 'service', cell: (r) => r.service },
  { header: 'actor', cell: (r) => r.actor },
  { header: 'action', cell: (r) => r.action },
  { header: 'request', cell: (r) => r.request, className: 'wrap' },
  { header: 'outcome', cell: (r) => r.outcome, className: (r) => `outcome-${r.outcome}` },
  { header: 'status', cell: (r) => r.status, className: 'num' },
  { header: 'detail', cell: (r) => r.detail, className: 'wrap' },
];

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
  // A filter among fixed values; '' (shown as `any`) does not filter.
  const choice = (key: 'service' | 'outcome', values: readonly string[]) => (
    <label>
      {key}
      <select value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })}>
        {values.map((s) => (
          <option key={s} value={s}>
            {s || 'any'}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div data-testid="audit-log">
      <h2>Audit log</h2>
      <form className="filters" onSubmit={submit}>
        {field('actor', 'actor', 'key:… or user')}
        {field('action', 'action', 'aliases:write')}
        {field('resource', 'resource starts with', '/registered-models/…')}
        {choice('service', SERVICES)}
        {choice('outcome', OUTCOMES)}
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
            <DataTable testId="audit-table" columns={AUDIT_COLUMNS} rows={auditRows(result.page.records)} rowKey={(r) => r.seq} />
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
