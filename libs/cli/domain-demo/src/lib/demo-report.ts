/** One step of the demo with what it did and how long it took. */
export interface DemoStep {
  step: string;
  status: 'ok' | 'failed';
  seconds: number;
  details: Record<string, unknown>;
  error?: string;
}

/** Per replayed month: monitoring's view (drift and performance) of that window. */
export interface DemoMonthRow {
  month: string;
  predictions: number;
  labeled: number;
  rocAuc: number | null;
  accuracy: number | null;
  logLoss: number | null;
  datasetDrift: boolean;
  driftedFeatures: string[];
  psi: Record<string, number | null>;
  /** The closed loop's story for this month (drift → retrain → canary → promote/roll back), when it ran here. */
  loop?: string;
}

/** What the closed loop did on its month (issue #8), with the numbers. */
export interface ClosedLoopReport {
  month: string;
  /** Drift of the month's first half, as monitoring saw it. */
  drift?: { datasetDrift: boolean; driftedFeatures: string[] };
  retrained: boolean;
  retraining?: { runId: string | null; reason: string; challengerVersion: number; heldOutRocAuc: number | null };
  rollout?: { rolloutId: string; mode: string; championVersion: number; challengerVersion: number; challengerWeight: number };
  /** Second-half predictions served by each version (`v1`, `v2`). */
  canaryTraffic?: Record<string, number>;
  /**
   * First-half predictions served by each version: the canary starts as soon as drift was
   * detected and the retrained challenger registered, which may be before the first half ends
   * (and the live decision may then come before the second half).
   */
  firstHalfTraffic?: Record<string, number>;
  decision?: {
    metric: string; championValue: number | null; challengerValue: number | null; improvement: number | null; reason: string; actor: string;
    /** Labeled predictions each side was judged on (event time after the challenger's training data cutoff). */
    championLabeled?: number; challengerLabeled?: number;
    /** The challenger's training data cutoff, and the rollout predictions / labels each side had excluded as at or before it. */
    trainingDataCutoff?: string | null;
    championExcluded?: { predictions: number; labels: number }; challengerExcluded?: { predictions: number; labels: number };
  };
  outcome: 'no-drift' | 'promoted' | 'rolled-back';
  /** Champion version after the decision. */
  championAfter?: number;
}

/** The summary `npm run demo` prints and writes with `--out`. */
export interface DemoSummary {
  startedAt: string;
  finishedAt?: string;
  wallSeconds?: number;
  peakRssBytes?: number;
  ok: boolean;
  steps: DemoStep[];
  model?: { name: string; version: number; metrics?: Record<string, unknown>; artifactUri?: string; artifactSha256?: string; lineage?: unknown; calibration?: unknown };
  months: DemoMonthRow[];
  closedLoop?: ClosedLoopReport;
}

const fmt = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined ? '—' : v.toFixed(digits));

/** Renders the summary as readable text (what the terminal shows at the end). */
export function renderSummary(s: DemoSummary): string {
  const lines: string[] = [];
  lines.push('', '══ Strata demo summary ══', '');
  for (const st of s.steps) {
    const detail = Object.entries(st.details)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' ');
    lines.push(`${st.status === 'ok' ? '✔' : '✘'} ${st.step.padEnd(34)} ${st.seconds.toFixed(1).padStart(7)} s  ${detail}${st.error ? `  ERROR: ${st.error}` : ''}`);
  }
  if (s.model) {
    const m = s.model.metrics ?? {};
    const get = (k: string): number | null => {
      const v = (m as Record<string, unknown>)[k];
      return typeof v === 'number' ? v : null;
    };
    lines.push('', `Model ${s.model.name} v${s.model.version}  (artifact sha256 ${s.model.artifactSha256?.slice(0, 16) ?? '?'}…)`);
    lines.push(`  held-out: ROC AUC ${fmt(get('roc_auc'))}  accuracy ${fmt(get('accuracy'))}  log loss ${fmt(get('log_loss'))}  (${get('rows') ?? '?'} rows)`);
    lines.push(`  train:    ROC AUC ${fmt(get('train_roc_auc'))}  accuracy ${fmt(get('train_accuracy'))}  log loss ${fmt(get('train_log_loss'))}  (${get('train_rows') ?? '?'} rows)`);
    const calibration = Array.isArray(s.model.calibration) ? (s.model.calibration as Array<{ lower: number; upper: number; count: number; meanPredicted: number | null; observedRate: number | null }>) : [];
    if (calibration.length) {
      lines.push('  calibration by decile (held-out): predicted → observed (count)');
      for (const b of calibration.filter((x) => x.count > 0)) {
        const bar = '█'.repeat(Math.round((b.observedRate ?? 0) * 20));
        lines.push(`    [${b.lower.toFixed(1)}, ${b.upper.toFixed(1)})  ${fmt(b.meanPredicted)} → ${fmt(b.observedRate)}  ${bar} (${b.count})`);
      }
    }
  }
  if (s.months.length) {
    const features = [...new Set(s.months.flatMap((m) => Object.keys(m.psi)))];
    lines.push('', 'Monitoring per month (PSI against the training reference; * = drifted)');
    lines.push(['month  ', 'preds', 'labeled', 'ROC AUC', 'accuracy', 'drift', ...features.map((f) => f.replace(/^.*__/, '').slice(0, 14))].join(' │ '));
    for (const m of s.months) {
      lines.push(
        [
          m.month,
          String(m.predictions).padStart(5),
          String(m.labeled).padStart(7),
          fmt(m.rocAuc).padStart(7),
          fmt(m.accuracy).padStart(8),
          (m.datasetDrift ? 'YES' : 'no').padStart(5),
          ...features.map((f) => `${fmt(m.psi[f])}${m.driftedFeatures.includes(f) ? '*' : ' '}`.padStart(Math.min(14, f.replace(/^.*__/, '').length))),
        ].join(' │ '),
      );
    }
  }
  const loopRows = s.months.filter((m) => m.loop);
  if (loopRows.length || s.closedLoop) {
    lines.push('', 'Closed loop (drift → retraining → challenger → canary → live decision)');
    for (const m of s.months) lines.push(`  ${m.month}: ${m.loop ?? (m.datasetDrift ? 'drift' : 'no dataset drift: champion kept')}`);
    const l = s.closedLoop;
    if (l?.decision) {
      lines.push(`  served by version: days 1-15 ${JSON.stringify(l.firstHalfTraffic ?? {})}, days 16-end ${JSON.stringify(l.canaryTraffic ?? {})}; decision by ${l.decision.actor}: ${l.outcome}, champion now v${l.championAfter ?? '?'}`);
      lines.push(`  ${l.decision.reason}`);
    }
  }
  lines.push('', `${s.ok ? 'OK' : 'FAILED'} in ${fmt(s.wallSeconds, 1)} s, peak RSS of the demo process ${((s.peakRssBytes ?? 0) / 2 ** 20).toFixed(0)} MiB`, '');
  return lines.join('\n');
}
