import { Link } from 'react-router';
import type { BatchScoringJob, Materialization } from '@strata/contracts/api';
import { formatTime } from '../mapping/format';

/** A materialization node's panel: view, mode, status, rows (offline / online), event time range, offline file. */
export function MaterializationDetail({ m }: { m: Materialization }) {
  return (
    <dl data-testid="materialization-detail">
      <dt>materialization</dt>
      <dd>
        {m.featureView} {m.mode} ({m.id})
      </dd>
      <dt>status</dt>
      <dd>{m.status}</dd>
      <dt>rows (offline / online)</dt>
      <dd>
        {m.rowCount ?? '—'} / {m.onlineRowCount ?? '—'}
      </dd>
      <dt>event time (UTC)</dt>
      <dd>
        {formatTime(m.minEventTime)} – {formatTime(m.maxEventTime)}
      </dd>
      <dt>offline file</dt>
      <dd>{m.offlineUri ?? '—'}</dd>
      <dt>dataset versions</dt>
      <dd>{m.datasetVersions.map((d) => `${d.datasetName}@${d.versionId}`).join(', ') || '—'}</dd>
      {m.error ? (
        <>
          <dt>error</dt>
          <dd>{m.error}</dd>
        </>
      ) : null}
    </dl>
  );
}

/** A batch scoring job node's panel: status, rows, input, output file and digest, times, error. */
export function BatchScoringDetail({ job }: { job: BatchScoringJob }) {
  const input = job.datasetName && job.versionId ? `${job.datasetName}@${job.versionId}` : (job.inputUri ?? '—');
  return (
    <dl data-testid="batch-scoring-detail">
      <dt>batch scoring job</dt>
      <dd>{job.jobId}</dd>
      <dt>status</dt>
      <dd data-testid="batch-scoring-status">{job.status}</dd>
      <dt>model</dt>
      <dd>
        {job.modelName} v{job.modelVersion ?? '?'}
        {job.alias ? ` (alias ${job.alias})` : ''}
      </dd>
      <dt>rows</dt>
      <dd data-testid="batch-scoring-rows">{job.rowCount ?? `${job.progress.rowsDone} of ${job.progress.rowsTotal ?? '?'}`}</dd>
      <dt>input</dt>
      <dd>{input}</dd>
      <dt>output</dt>
      <dd data-testid="batch-scoring-output">{job.outputUri ?? '—'}</dd>
      <dt>output sha256</dt>
      <dd className="digest">{job.outputSha256 ?? '—'}</dd>
      <dt>started / finished (UTC)</dt>
      <dd>
        {formatTime(job.createdAt)} / {formatTime(job.finishedAt)}
      </dd>
      {job.error ? (
        <>
          <dt>error</dt>
          <dd>
            {job.errorCode}: {job.error}
          </dd>
        </>
      ) : null}
    </dl>
  );
}

/** A rollout node's panel (shown when navigation is not wanted, e.g. keyboard focus): link to the rollout page. */
export function RolloutLink({ modelName, rolloutId, role }: { modelName: string; rolloutId: string; role: string }) {
  return (
    <dl data-testid="rollout-detail">
      <dt>rollout ({role})</dt>
      <dd>
        <Link to={`/models/${encodeURIComponent(modelName)}/rollouts/${encodeURIComponent(rolloutId)}`} data-testid="open-rollout">
          {rolloutId}
        </Link>
      </dd>
    </dl>
  );
}
