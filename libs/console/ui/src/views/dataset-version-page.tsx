import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Endpoints } from '../api/console-endpoints';
import { formatBytes, profileRows, quarantineDownloadPath, validationReport, type ProfileRow, type ValidationReport } from '../mapping/datasets';
import { DataTable, type Column } from '../components/data-table';
import { formatTime } from '../mapping/format';
import { Empty, ErrorBox, Show } from '../components/states';
import { useEndpoint } from '../components/use-endpoint';
import { useSession } from '../components/session';
import { DataNav } from './data-nav';

/** One column of the profile: type, nulls, distinct count, numeric summary and most frequent values. */
const PROFILE_COLUMNS: ReadonlyArray<Column<ProfileRow>> = [
  { header: 'column', cell: (c) => c.name },
  { header: 'type', cell: (c) => c.type },
  { header: 'nulls', cell: (c) => c.nulls, className: 'num' },
  { header: 'distinct', cell: (c) => c.distinct, className: 'num' },
  { header: 'min', cell: (c) => c.min, className: 'num' },
  { header: 'max', cell: (c) => c.max, className: 'num' },
  { header: 'mean', cell: (c) => c.mean, className: 'num' },
  { header: 'stddev', cell: (c) => c.stddev, className: 'num' },
  { header: 'median', cell: (c) => c.median, className: 'num' },
  { header: 'most frequent', cell: (c) => c.top, className: 'wrap' },
];

/** One dataset version: identity, the column profile, the validation report and the quarantine download. */
export function DatasetVersionPageView() {
  const { name = '', versionId = '' } = useParams();
  const loaded = useEndpoint(Endpoints.getDatasetVersion, { params: { name, versionId } });
  return (
    <section>
      <DataNav />
      <h1>
        <Link to="/data/datasets">Datasets</Link> / <Link to={`/data/datasets/${encodeURIComponent(name)}`}>{name}</Link> / {versionId}
      </h1>
      <Show loaded={loaded} what="dataset version">
        {(v) => {
          const profile = profileRows(v.profile);
          const report = validationReport(v.validation);
          return (
            <>
              <dl className="facts" data-testid="dataset-version-facts">
                <dt>content sha256</dt>
                <dd className="digest">{v.contentSha256}</dd>
                <dt>rows</dt>
                <dd>{v.rowCount}</dd>
                <dt>size</dt>
                <dd>{formatBytes(v.sizeBytes)}</dd>
                <dt>created (UTC)</dt>
                <dd>{formatTime(v.createdAt)}</dd>
                <dt>extends</dt>
                <dd>{v.parentVersionId ?? '—'}</dd>
              </dl>
              <h2>Validation</h2>
              {report ? <Validation report={report} name={name} versionId={versionId} /> : <Empty>This version has no validation report.</Empty>}
              <h2>Profile</h2>
              {profile.length === 0 ? (
                <Empty>This version has no column profile.</Empty>
              ) : (
                <DataTable testId="profile-table" columns={PROFILE_COLUMNS} rows={profile} rowKey={(c) => c.name} />
              )}
            </>
          );
        }}
      </Show>
    </section>
  );
}

function Validation({ report, name, versionId }: { report: ValidationReport; name: string; versionId: string }) {
  const { client } = useSession();
  const [state, setState] = useState<{ busy: boolean; error?: unknown; saved?: string }>({ busy: false });
  // The download carries the user's credential (a plain link could not), so fetch it and save the bytes.
  const download = async () => {
    setState({ busy: true });
    try {
      const file = await client.download(quarantineDownloadPath(name, versionId));
      const url = URL.createObjectURL(file.blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = file.fileName ?? `${name}-${versionId}-quarantine.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState({ busy: false, saved: `${a.download} (${file.rowCount ?? '?'} rows)` });
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return (
    <div data-testid="validation-report">
      <dl className="facts">
        <dt>policy</dt>
        <dd>{report.policy}</dd>
        <dt>rows read</dt>
        <dd>{report.inputRows}</dd>
        <dt>invalid rows</dt>
        <dd>{report.invalidRows}</dd>
        <dt>quarantined rows</dt>
        <dd data-testid="quarantined-rows">{report.quarantinedRows}</dd>
      </dl>
      {report.downloadable && (
        <div className="controls">
          <button data-testid="quarantine-download" disabled={state.busy} onClick={() => void download()}>
            {state.busy ? 'Downloading…' : `Download the ${report.quarantinedRows} quarantined rows (CSV)`}
          </button>
          {state.saved && <span className="hint">saved {state.saved}</span>}
        </div>
      )}
      {state.error !== undefined && <ErrorBox error={state.error} />}
      {report.issues.length > 0 && (
        <>
          <p className="hint">
            First issues ({report.issues.length} of {report.issueCount}):
          </p>
          <ul className="issues">
            {report.issues.map((issue, i) => (
              <li key={i}>{issue}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
