import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatasetVersion, DatasetVersionRef, Materialization, ModelVersion, TrainingRun } from '@strata/shared/data-access-strata-client';
import { parse as parseYaml } from 'yaml';
import type { ClosedLoopReport, DemoMonthRow, DemoStep, DemoSummary } from './demo-report';
import type { ReplayRecord, TaxiDemoOptions } from './taxi-demo.types';
import { DemoStepError, poll, TerminalStateError } from './demo-poll';
import { sourceFile, splitMonthFile } from './taxi-demo.files';
import { featureNamesOf, readRows, replay } from './taxi-demo.replay';

export { DemoStepError } from './demo-poll';
export { splitMonthFile } from './taxi-demo.files';
export { featureNamesOf } from './taxi-demo.replay';
export type { ReplayRecord, ReplayRow, TaxiDemoOptions } from './taxi-demo.types';

const DATASET = 'nyc_taxi_trips';
const TRAINING_SET = 'big_tipper';

/**
 * The whole Strata flow on NYC taxi trips, through the real services (issue #4):
 * ingest each month → apply the feature repo → materialization on dataset-version events →
 * a Temporal training run (point-in-time training set, logistic regression → ONNX, evaluation,
 * registration; the first version becomes `champion`) → serving loads the champion → the
 * replay months are scored through Open Inference Protocol v2 in time order, labels sent as
 * feedback → monitoring's per-month drift (PSI) and performance.
 *
 * @returns the summary (also on failure, with `ok: false` and the failing step)
 */
export async function runTaxiDemo(options: TaxiDemoOptions): Promise<DemoSummary> {
  const { client, log } = options;
  const wait = options.waitTimeoutMs ?? 600_000;
  const started = Date.now();
  const summary: DemoSummary = { startedAt: new Date(started).toISOString(), ok: false, steps: [], months: [] };
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-demo-'));

  const step = async <T>(name: string, fn: (details: Record<string, unknown>) => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const details: Record<string, unknown> = {};
    log(`▶ ${name}`);
    try {
      const result = await fn(details);
      summary.steps.push({ step: name, status: 'ok', seconds: (Date.now() - t0) / 1000, details });
      return result;
    } catch (e) {
      const entry: DemoStep = { step: name, status: 'failed', seconds: (Date.now() - t0) / 1000, details, error: e instanceof Error ? e.message : String(e) };
      summary.steps.push(entry);
      throw new DemoStepError(name, e);
    }
  };

  try {
    await step('services ready', async (d) => {
      const report = await client.readiness();
      const down = Object.entries(report).filter(([, r]) => !('status' in r) || r.status !== 'ok');
      if (down.length) throw new Error(`not ready: ${down.map(([n, r]) => `${n} (${JSON.stringify(r)})`).join('; ')}`);
      d['services'] = Object.keys(report).length;
    });

    const versions = new Map<string, DatasetVersion>();
    const ingest = async (month: string, fileOverride?: string): Promise<DatasetVersion> =>
      step(`ingest ${month}`, async (d) => {
        const file = fileOverride ?? sourceFile(options, month, workDir);
        const version = await client.registerDatasetFile(DATASET, `file://${file}`, 'csv', 'quarantine');
        versions.set(month, version);
        Object.assign(d, { versionId: version.versionId, rows: version.rowCount, sha256: version.contentSha256.slice(0, 12) });
        if (version.validation?.invalidRowCount) d['quarantined'] = version.validation.invalidRowCount;
        log(`  ${month}: version ${version.versionId}, ${version.rowCount} rows`);
        return version;
      });
    const waitMaterialized = async (month: string, version: DatasetVersion): Promise<void> =>
      step(`materialize ${month}`, async (d) => {
        // A dataset version is re-materialized with every later version: what counts is the
        // newest materialization per feature view (an earlier failed one may have been retried).
        const latest = await poll(
          `feature materialization of ${DATASET}@${version.versionId}`,
          async () => {
            const newest = new Map<string, Materialization>();
            for (const m of await client.listMaterializations({ datasetVersion: version.versionId })) {
              const prev = newest.get(m.featureView);
              if (!prev || (m.startedAt ?? '') > (prev.startedAt ?? '')) newest.set(m.featureView, m);
            }
            const failed = [...newest.values()].find((m) => m.status === 'FAILED');
            if (failed) throw new TerminalStateError(`materialization ${failed.id} of ${failed.featureView} FAILED: ${failed.error ?? 'unknown error'}`);
            return newest.size > 0 && [...newest.values()].every((m) => m.status === 'SUCCEEDED') ? newest : undefined;
          },
          wait,
        );
        d['featureViews'] = [...latest.values()].map((m) => `${m.featureView}:${m.rowCount ?? '?'} rows`).join(',');
      });

    await step('register dataset spec', async (d) => {
      const spec = parseYaml(fs.readFileSync(path.join(options.repoRoot, 'examples/taxi/dataset.yaml'), 'utf8')) as Record<string, unknown>;
      await client.putDataset(DATASET, spec);
      d['dataset'] = DATASET;
    });

    await step('apply feature repo', async (d) => {
      const dir = path.join(options.repoRoot, 'examples/taxi/feature_repo');
      const documents = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((file) => ({ file, content: fs.readFileSync(path.join(dir, file), 'utf8') }));
      const result = await client.applyFeatureRepo(documents);
      d['documents'] = documents.length;
      d['changes'] = Array.isArray(result.changes) ? result.changes.length : 0;
    });

    for (const month of options.trainMonths) {
      const v = await ingest(month);
      await waitMaterialized(month, v);
    }

    const trainRefs: DatasetVersionRef[] = options.trainMonths.map((m) => ({ datasetName: DATASET, versionId: versions.get(m)!.versionId }));
    const splitTime = `${options.trainMonths[options.trainMonths.length - 1]}-01T00:00:00.000Z`;
    const run = await step('train (Temporal workflow)', async (d) => {
      const requestId = options.runTag ?? trainRefs.map((r) => r.versionId).join('-');
      const startedRun = await client.startTrainingRun({
        modelName: options.modelName,
        trainer: 'logistic_regression',
        params: { l2: 1e-3, maxIterations: 100 },
        trainingSet: TRAINING_SET,
        trainDatasetVersions: trainRefs,
        evaluation: { splitTime },
        requestId,
      });
      d['workflowId'] = startedRun.workflowId;
      let lastLine = '';
      const finished = await poll<TrainingRun>(
        `training run ${startedRun.runId}`,
        async () => {
          const r = await client.getTrainingRun(startedRun.runId);
          const line = `  ${r.status} ${r.step ?? ''} ${r.progress != null ? `${Math.round(r.progress * 100)}%` : ''}`;
          if (line !== lastLine) log((lastLine = line));
          if (r.status === 'FAILED' || r.status === 'CANCELLED') throw new TerminalStateError(`workflow ${r.workflowId} ${r.status}: ${typeof r.error === 'object' ? `${r.error.code}: ${r.error.message}` : (r.error ?? '')}`);
          return r.status === 'COMPLETED' ? r : undefined;
        },
        wait,
        1000,
      );
      Object.assign(d, { runId: finished.runId, modelVersion: finished.modelVersion });
      return finished;
    });

    const champion = await step('registry: champion alias', async (d) => {
      const trained = run.modelVersion;
      let v = await poll<ModelVersion>('the champion alias', async () => client.getModelVersionByAlias(options.modelName, 'champion'), 60_000);
      if (trained !== undefined && v.version !== trained) {
        // The registry gives `champion` to a model's first version only; a later run of the demo
        // promotes the version it trained, explicitly and audited.
        await client.setAlias(options.modelName, 'champion', trained, 'strata demo: promote the version this run trained', 'strata-demo');
        v = await client.getModelVersionByAlias(options.modelName, 'champion');
        d['promotedFrom'] = v.version === trained ? 'previous champion' : 'unchanged';
      }
      summary.model = {
        name: options.modelName,
        version: v.version,
        metrics: v.metrics,
        artifactUri: v.artifactUri,
        artifactSha256: v.artifactSha256 ?? undefined,
        lineage: v.lineage,
        calibration: (run as { evaluationReport?: { calibration?: unknown } }).evaluationReport?.calibration,
      };
      Object.assign(d, { version: v.version, runId: v.runId ?? run.runId });
      return v;
    });

    const featureNames = await step('serving: champion loaded', async (d) => {
      await poll(
        `serving to load ${options.modelName}@${champion.version}`,
        async () => ((await client.serving.get(`/v2/models/${options.modelName}/versions/${champion.version}/ready`)) ? true : undefined),
        120_000,
      );
      const names = featureNamesOf(champion);
      d['features'] = names.length;
      return names;
    });

    const loopMonth = options.closedLoop === false ? undefined : (options.closedLoop?.month ?? options.replayMonths[options.replayMonths.length - 1]);
    const loopOptions = options.closedLoop === false ? {} : (options.closedLoop ?? {});

    /** Replays one ingested dataset version through serving (by alias: the rollout routes), sends the labels. */
    const replayVersion = async (label: string, version: DatasetVersion, d: Record<string, unknown>): Promise<ReplayRecord> => {
      const build = await client.startTrainingSet(TRAINING_SET, [{ datasetName: DATASET, versionId: version.versionId }]);
      const set = await poll(`point-in-time features for ${label}`, async () => {
        const b = await client.getTrainingSet(build.id);
        if (b.status === 'FAILED') throw new TerminalStateError(`training-set build ${b.id} FAILED: ${b.error ?? ''}`);
        return b.status === 'SUCCEEDED' ? b : undefined;
      }, wait);
      const rows = await readRows(set.uri!, featureNames);
      const predictions = await replay(client, options, rows, featureNames, log, `${options.modelName}@${champion.version}:${label}`);
      d['predictions'] = predictions.length;
      const record: ReplayRecord = { month: label, featureNames, trainingSetUri: set.uri!, rows, predictions };
      options.onReplay?.(record);
      await client.sendFeedback(predictions.map((p) => ({ predictionId: p.predictionId, modelName: options.modelName, label: p.label, observedAt: p.eventTime })));
      return record;
    };

    /**
     * Monitoring's month window of the champion once monitoring has seen `expected` labeled
     * predictions of that month over all versions (in the closed loop a challenger may answer
     * part of the traffic as soon as drift was detected and the canary started).
     */
    const monthRow = async (month: string, expected: number, extra: Partial<DemoMonthRow> = {}): Promise<DemoMonthRow> => {
      const window = await poll(`monitoring to see ${expected} labeled predictions for ${month}`, async () => {
        const windows = (await client.windows(options.modelName, 'month')).filter((x) => x.windowStart?.startsWith(month));
        const total = windows.reduce((n, x) => n + x.predictionCount, 0);
        const labeled = windows.reduce((n, x) => n + x.labeledCount, 0);
        const w = windows.find((x) => Number(x.modelVersion) === champion.version);
        return w && total >= expected && labeled >= expected ? w : undefined;
      }, wait, 1000);
      return {
        month,
        predictions: window.predictionCount,
        labeled: window.labeledCount,
        rocAuc: window.performance?.rocAuc ?? null,
        accuracy: window.performance?.accuracy ?? null,
        logLoss: window.performance?.logLoss ?? null,
        datasetDrift: window.datasetDrift,
        driftedFeatures: window.drift.filter((f) => f.drifted).map((f) => f.feature),
        psi: Object.fromEntries(window.drift.map((f) => [f.feature, f.score])),
        ...extra,
      };
    };

    for (const month of options.replayMonths) {
      if (month === loopMonth) {
        summary.months.push(await closedLoopMonth(month));
        continue;
      }
      const v = await ingest(month);
      await waitMaterialized(month, v);
      const row = await step(`replay ${month} through serving`, async (d) => {
        const record = await replayVersion(month, v, d);
        // Monitoring windows by event time (the pickup): a few trips in a month's file carry a
        // pickup time outside that month (real TLC data), and land in their own month's window.
        const inMonth = record.predictions.filter((p) => p.eventTime.startsWith(month)).length;
        d['outsideMonth'] = record.predictions.length - inMonth;
        const result = await monthRow(month, inMonth);
        Object.assign(d, { rocAuc: result.rocAuc, drifted: result.driftedFeatures.length });
        return result;
      });
      summary.months.push(row);
    }

    /** The closed loop on one month (see {@link TaxiDemoOptions.closedLoop}). */
    async function closedLoopMonth(month: string): Promise<DemoMonthRow> {
      const halves = splitMonthFile(sourceFile(options, month, workDir), workDir);
      const loop: ClosedLoopReport = { month, retrained: false, outcome: 'no-drift' };
      summary.closedLoop = loop;
      // Labeled predictions each version needs before the live decision: a share of the second
      // half's card trips (the training set's rows) that a 50/50 canary gives each side.
      const weight = loopOptions.challengerWeight ?? 0.5;
      const minLabeled = loopOptions.minLabeledPerVersion ?? Math.max(20, Math.min(300, Math.floor(halves.secondCardTrips * Math.min(weight, 1 - weight) * 0.6)));
      // Retrainings decided before the loop: the loop's must be a new one (an earlier one set
      // `challenger` without the loop's canary policy, and its cooldown would skip the loop's).
      const before = await client.training.get<Array<{ triggerId: string; decision: string; reason: string }>>(`/retraining/${encodeURIComponent(options.modelName)}/triggers`);
      const earlier = before.find((x) => x.decision === 'STARTED');
      if (earlier) throw new DemoStepError('closed loop', new Error(`a retraining started before the closed loop (${earlier.triggerId}: ${earlier.reason})`));
      const seenTriggers = new Set(before.map((x) => x.triggerId));
      await step('registry: promotion policy with a canary (closed loop)', async (d) => {
        const policy = { metric: 'roc_auc', direction: 'maximize', minMargin: loopOptions.minMargin ?? 0, autoPromote: false, rollout: { mode: 'canary', challengerWeight: weight, stickyKey: null, minLabeledPerVersion: minLabeled } };
        await client.registry.put(`/registered-models/${encodeURIComponent(options.modelName)}/promotion-policy`, policy);
        Object.assign(d, { metric: 'roc_auc', challengerWeight: weight, minLabeledPerVersion: minLabeled });
      });
      const first = await ingest(`${month}-a`, halves.first);
      await waitMaterialized(`${month}-a`, first);
      let firstRecord: ReplayRecord | undefined;
      const firstRow = await step(`replay ${month} (days 1-15) through serving`, async (d) => {
        const record = (firstRecord = await replayVersion(`${month} (1st half)`, first, d));
        d['servedBy'] = servedBy(record);
        const inMonth = record.predictions.filter((p) => p.eventTime.startsWith(month)).length;
        const result = await monthRow(month, inMonth);
        Object.assign(d, { rocAuc: result.rocAuc, drifted: result.driftedFeatures.length, datasetDrift: result.datasetDrift });
        return result;
      });
      loop.drift = { datasetDrift: firstRow.datasetDrift, driftedFeatures: firstRow.driftedFeatures };
      if (!firstRow.datasetDrift) {
        log(`  no dataset drift in ${month} (days 1-15): nothing to retrain`);
        return { ...firstRow, loop: 'no drift: nothing retrained' };
      }
      // drift-detected (monitoring) → retraining (training) → challenger alias (registry)
      const trigger = await step('retraining on drift (training)', async (d) => {
        const t = await poll('training to act on drift-detected', async () => {
          const list = await client.training.get<Array<{ triggerId: string; source: string; decision: string; reason: string; runId: string | null; status: string | null; modelVersion: number | null; error: string | null }>>(
            `/retraining/${encodeURIComponent(options.modelName)}/triggers`,
          );
          const events = list.filter((x) => (x.source === 'drift' || x.source === 'performance') && !seenTriggers.has(x.triggerId));
          const drift = events.find((x) => x.decision === 'STARTED');
          if (!drift) {
            const skipped = events[0];
            if (skipped) throw new TerminalStateError(`retraining was not started: ${skipped.decision} (${skipped.reason})`);
            return undefined;
          }
          if (drift.status === 'FAILED') throw new TerminalStateError(`retraining ${drift.triggerId} FAILED: ${drift.error ?? ''}`);
          return drift.status === 'COMPLETED' && drift.modelVersion !== null ? drift : undefined;
        }, wait, 1000);
        Object.assign(d, { trigger: t.decision, runId: t.runId, challengerVersion: t.modelVersion });
        return t;
      });
      const challenger = await client.getModelVersionByAlias(options.modelName, 'challenger');
      loop.retrained = true;
      loop.retraining = { runId: trigger.runId, reason: trigger.reason, challengerVersion: challenger.version, heldOutRocAuc: typeof challenger.metrics?.['roc_auc'] === 'number' ? (challenger.metrics['roc_auc'] as number) : null };
      // challenger → canary (registry policy) → serving applies the route
      const rollout = await step('canary rollout (registry → serving)', async (d) => {
        // The rollout of this challenger (it may already be decided when the first half brought enough labels).
        let seen: Array<{ challengerVersion: number; status: string }> = [];
        const r = await poll('the canary rollout', async () => {
          const all = await client.registry.get<Array<{ rolloutId: string; status: string; mode: string; challengerVersion: number; championVersion: number; challengerWeight: number }>>(`/models/${encodeURIComponent(options.modelName)}/rollouts`);
          seen = all;
          return all.find((x) => x.challengerVersion === challenger.version);
        }, 60_000).catch((e: unknown) => {
          const rollouts = seen.map((x) => `v${x.challengerVersion} ${x.status}`).join(', ') || 'none';
          throw new Error(`${e instanceof Error ? e.message : String(e)} of challenger v${challenger.version} (trigger ${trigger.triggerId}: ${trigger.reason}; rollouts: ${rollouts})`);
        });
        if (r.status === 'active') {
          await poll('serving to apply the canary route', async () => {
            const route = await client.serving.get<{ route?: { rolloutId?: string } | null }>(`/models/${encodeURIComponent(options.modelName)}/rollout`);
            return JSON.stringify(route).includes(r.rolloutId) ? true : undefined;
          }, 120_000);
        }
        Object.assign(d, { rolloutId: r.rolloutId, status: r.status, champion: r.championVersion, challenger: r.challengerVersion, challengerWeight: r.challengerWeight });
        return r;
      });
      loop.rollout = { rolloutId: rollout.rolloutId, mode: rollout.mode, championVersion: rollout.championVersion, challengerVersion: rollout.challengerVersion, challengerWeight: rollout.challengerWeight };
      const second = await ingest(`${month}-b`, halves.second);
      await waitMaterialized(`${month}-b`, second);
      const secondReplay = await step(`replay ${month} (days 16-end) through the canary`, async (d) => {
        const record = await replayVersion(`${month} (2nd half)`, second, d);
        const byVersion = servedBy(record);
        d['servedBy'] = byVersion;
        return { record, byVersion };
      });
      loop.canaryTraffic = secondReplay.byVersion;
      loop.firstHalfTraffic = firstRecord ? servedBy(firstRecord) : {};
      // monitoring's live comparison → registry decision (promote or roll back)
      const decision = await step('live decision: promote or roll back (monitoring → registry)', async (d) => {
        const found = await poll('the live promotion decision', async () => {
          const page = await client.api.registry.listDecisions({ params: { name: options.modelName } });
          return page.decisions.find((x) => x['trigger'] === 'live-rollout' && x['challengerVersion'] === challenger.version);
        }, wait, 1000);
        Object.assign(d, { outcome: found['outcome'], challengerRocAuc: found['challengerValue'], championRocAuc: found['championValue'] });
        return found;
      });
      const finalChampion = await client.getModelVersionByAlias(options.modelName, 'champion');
      loop.outcome = decision['outcome'] === 'promoted' ? 'promoted' : 'rolled-back';
      loop.decision = {
        metric: String(decision['metric']),
        championValue: (decision['championValue'] as number | null) ?? null,
        challengerValue: (decision['challengerValue'] as number | null) ?? null,
        improvement: (decision['improvement'] as number | null) ?? null,
        reason: String(decision['reason']),
        actor: String(decision['actor']),
      };
      // what the live comparison counted and left out (rows the challenger was trained on)
      const evidence = decision['evidence'] as
        | { championLabeled: number; challengerLabeled: number; trainingDataCutoff: string | null; championExcluded: { predictions: number; labels: number }; challengerExcluded: { predictions: number; labels: number } }
        | null
        | undefined;
      if (evidence) Object.assign(loop.decision, evidence);
      loop.championAfter = finalChampion.version;
      const firstInMonth = (firstRecord?.predictions ?? []).filter((p) => p.eventTime.startsWith(month)).length;
      const secondInMonth = secondReplay.record.predictions.filter((p) => p.eventTime.startsWith(month)).length;
      const whole = await monthRow(month, firstInMonth + secondInMonth);
      return {
        ...whole,
        loop:
          `drift → retrained v${challenger.version} → canary ${Math.round(rollout.challengerWeight * 100)}% → ${loop.outcome} ` +
          `(live ROC AUC v${challenger.version} ${fmt3(loop.decision.challengerValue)} on ${loop.decision.challengerLabeled ?? '?'} labels vs v${champion.version} ${fmt3(loop.decision.championValue)} on ${loop.decision.championLabeled ?? '?'}` +
          (loop.decision.trainingDataCutoff
            ? `; only after the challenger's training data ${loop.decision.trainingDataCutoff}: excluded v${challenger.version} ${loop.decision.challengerExcluded?.predictions ?? 0} predictions/${loop.decision.challengerExcluded?.labels ?? 0} labels, v${champion.version} ${loop.decision.championExcluded?.predictions ?? 0}/${loop.decision.championExcluded?.labels ?? 0})`
            : '; training data cutoff unknown: nothing excluded)'),
      };
    }
    summary.ok = true;
  } catch (e) {
    log(`✘ ${e instanceof Error ? e.message : String(e)}`);
    summary.ok = false;
  } finally {
    clearInterval(rssTimer);
    summary.finishedAt = new Date().toISOString();
    summary.wallSeconds = (Date.now() - started) / 1000;
    summary.peakRssBytes = peakRss;
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  return summary;
}

/** Predictions per serving version (`{v1: n, v2: m}`). */
function servedBy(record: ReplayRecord): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of record.predictions) out[`v${p.modelVersion ?? '?'}`] = (out[`v${p.modelVersion ?? '?'}`] ?? 0) + 1;
  return out;
}

const fmt3 = (v: number | null | undefined): string => (typeof v === 'number' ? v.toFixed(3) : 'n/a');
