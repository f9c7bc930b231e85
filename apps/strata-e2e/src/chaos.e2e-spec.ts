/**
 * Chaos suite over the running platform (issue #19): the six services run enforced on a PRIVATE
 * stack (own state dir and ports: its parts are restarted here, never the shared stack's) while
 * inference traffic with prediction logging and feedback labels flows. Then, one fault at a time:
 *
 *   kafka restarted · postgres restarted · temporal restarted (then one training run) ·
 *   each of the six services SIGKILLed and started again · redis made unreachable and back
 *
 * After each fault, within CHAOS_RECOVERY_BOUND_S (default 150 s): every /health/ready is 200 and
 * a newly promoted champion (a re-registered version moved to alias `champion`) answers serving's
 * traffic; then every prediction serving acknowledged (200) so far is in monitoring exactly once
 * (`monitoring.prediction` by id, and the window counters add up to the stored rows), every
 * accepted label is stored once, no training run is lost or registered twice, every service's
 * outbox drains, and a new dataset version is ingested, materialized to Redis and readable online.
 *
 * Every fault runs even when an earlier one failed (a failed fault is followed by restarting the
 * six services, so the next one starts healthy); the per-fault table is printed and written to
 * `$STRATA_TEST_RESULTS_DIR/chaos/chaos-report.json` (default .run/test-results; CHAOS_REPORT_FILE), then the test asserts lost = 0,
 * doubled = 0 and recovery within the bound for every fault. The stack and the services are
 * always stopped at the end, failed or not. CHAOS_FAULTS=kafka,serving,... runs a subset;
 * CHAOS_KAFKA_RESTARTS=3 restarts the broker three times in a row for the Kafka fault.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiKeyStore, migrateSecuritySchemas } from '@strata/shared/data-access-auth';
import { type DatasetVersion, type ModelVersion, StrataClient } from '@strata/shared/data-access-strata-client';
import { REPO_ROOT, type RunningService, createTestCredentials, describeConsumerGroups, startService } from '@strata/shared/testing';
import { Client as PgClient } from 'pg';
import { parse as parseYaml } from 'yaml';
import { CHAOS_PORTS, PrivateStack, type StackPart } from './chaos/private-stack';
import { Traffic, sleep } from './chaos/traffic';
import { storedFeedbackIds, storedPredictionCount, storedPredictionIds, trainingLedger, unsentOutbox } from './chaos/ledger';

jest.setTimeout(1_500_000);

const SERVICES = ['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'] as const;
type ServiceName = (typeof SERVICES)[number];
const PORT_BASE = Number(process.env['CHAOS_SERVICE_PORT_BASE'] ?? 4001);
const RECOVERY_BOUND_S = Number(process.env['CHAOS_RECOVERY_BOUND_S'] ?? 150);
const CHECK_DEADLINE_MS = 60_000;
const FIXTURES = path.join(REPO_ROOT, 'apps/strata-e2e/fixtures/chaos');
const DATASET = 'adult_people';
const INITIAL_ROWS = 600;
const SLICE_ROWS = 50; // 600 + 11 × 50 ≤ 1,200: a fresh slice after the baseline and each of the ten faults

type FaultKind = { kind: 'stack'; part: Extract<StackPart, 'kafka' | 'pg' | 'temporal'> } | { kind: 'kill'; service: ServiceName } | { kind: 'redis' };
const ALL_FAULTS: Array<{ name: string } & FaultKind> = [
  { name: 'kafka restarted', kind: 'stack', part: 'kafka' },
  { name: 'postgres restarted', kind: 'stack', part: 'pg' },
  { name: 'temporal restarted', kind: 'stack', part: 'temporal' },
  ...SERVICES.map((service) => ({ name: `${service} SIGKILLed`, kind: 'kill' as const, service })),
  { name: 'redis unreachable', kind: 'redis' },
];
const faultKey = (f: FaultKind): string => (f.kind === 'stack' ? f.part : f.kind === 'kill' ? f.service : 'redis');

/** One row of the per-fault table. */
interface FaultResult {
  fault: string;
  ok: boolean;
  /** Seconds from the fault until every /health/ready is 200 and the new champion answers (null: not within the bound). */
  recoverySeconds: number | null;
  readySeconds: number | null;
  eventsLost: number;
  eventsDoubled: number;
  details: Record<string, unknown>;
  problems: string[];
}

describe('chaos: one fault at a time over the running platform', () => {
  const cacheDir = process.env['CHAOS_CACHE_DIR'] ?? process.env['STRATA_CACHE_DIR'] ?? path.join(REPO_ROOT, '.stack/cache');
  const ownStateDir = !process.env['CHAOS_STATE_DIR'];
  const stateDir = process.env['CHAOS_STATE_DIR'] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'strata-chaos-stack-'));
  // the postgres user must reach the cluster under it (else stack.sh falls back to a folder named after the repo, the shared stack's)
  if (ownStateDir) fs.chmodSync(stateDir, 0o755);
  const port = (name: string, fallback: number): number => Number(process.env[`CHAOS_${name}_PORT`] ?? fallback);
  const stack = new PrivateStack(stateDir, cacheDir, {
    pg: port('PG', CHAOS_PORTS.pg),
    kafka: port('KAFKA', CHAOS_PORTS.kafka),
    kafkaController: port('KAFKA_CONTROLLER', CHAOS_PORTS.kafkaController),
    temporal: port('TEMPORAL', CHAOS_PORTS.temporal),
    temporalUi: port('TEMPORAL_UI', CHAOS_PORTS.temporalUi),
    temporalMetrics: port('TEMPORAL_METRICS', CHAOS_PORTS.temporalMetrics),
    redis: port('REDIS', CHAOS_PORTS.redis),
    s3: port('S3', CHAOS_PORTS.s3),
  });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-chaos-data-'));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-chaos-work-'));
  const resultsDir = process.env['STRATA_TEST_RESULTS_DIR'] ?? path.join(REPO_ROOT, '.run/test-results');
  const reportFile = process.env['CHAOS_REPORT_FILE'] ?? path.join(resultsDir, 'chaos', 'chaos-report.json');
  const logDir = path.join(resultsDir, 'chaos', 'logs');
  const tag = `chaos${Date.now().toString(36)}`;
  const modelName = `adult-income-${tag}`;
  const urls = Object.fromEntries(SERVICES.map((s, i) => [`${s.toUpperCase()}_URL`, `http://127.0.0.1:${PORT_BASE + i}`]));
  const baseUrl = (s: ServiceName): string => urls[`${s.toUpperCase()}_URL`]!;
  const selected = (process.env['CHAOS_FAULTS'] ?? '').split(',').filter(Boolean);
  const faults = selected.length ? ALL_FAULTS.filter((f) => selected.includes(faultKey(f))) : ALL_FAULTS;

  const running = new Map<ServiceName, RunningService>();
  const outputs: Record<string, string[]> = {};
  let serviceKeys: Record<`service:${ServiceName}`, string>;
  let operatorKey: string;
  let client: StrataClient;
  let traffic: Traffic | undefined;
  let stackUp = false;
  const results: FaultResult[] = [];
  const rows = readFixture();
  let champion: ModelVersion;
  let featureNames: string[];
  let trainRef: { datasetName: string; versionId: string };
  let slice = 0;
  let reRegistered = 0;
  // cumulative losses already attributed to earlier faults
  const reportedLost = { predictions: new Set<string>(), labels: new Set<string>() };
  let doubledSoFar = { predictions: 0, labels: 0 };
  const trainingRunsStarted: string[] = [];
  /** The services' consumer groups (default group id = service name) that were Stable at baseline. */
  let liveGroups: string[] = [];

  const serviceEnv = (): Record<string, string | undefined> => ({
    STRATA_AUTH_MODE: 'enforce',
    STRATA_API_KEY_FILE: undefined,
    DATABASE_URL: stack.databaseUrl,
    KAFKA_BROKERS: stack.kafkaBrokers,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    REDIS_URL: stack.redisUrl,
    FEATURES_ONLINE_STORE: 'redis',
    STRATA_OBJECT_STORE: undefined,
    S3_ENDPOINT: undefined,
    STRATA_DATA_DIR: dataDir,
    TRAINING_RETRAIN_ON_EVENTS: 'false',
    // an acknowledged prediction is committed to the outbox before its answer, so the serving
    // SIGKILL fault cannot lose an acknowledged one (the ledger asserts 0 lost)
    SERVING_PREDICTION_LOG_DURABILITY: 'durable',
    SERVING_PREDICTION_LOG_TIMEOUT_MS: '15000',
    LOG_LEVEL: 'warn',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...urls,
  });
  const launch = (name: ServiceName): RunningService => {
    const s = startService(name, PORT_BASE + SERVICES.indexOf(name), { ...serviceEnv(), STRATA_API_KEY: serviceKeys[`service:${name}`] });
    running.set(name, s);
    (outputs[name] ??= []).push('');
    const slot = outputs[name].length - 1;
    const capture = (d: Buffer): void => {
      outputs[name]![slot] += d.toString();
    };
    s.process.stdout?.on('data', capture);
    s.process.stderr?.on('data', capture);
    return s;
  };
  /** SIGTERM, then SIGKILL after 15 s: a service never outlives the test. */
  const stopService = async (name: ServiceName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const s = running.get(name);
    if (!s) return;
    running.delete(name);
    if (s.process.exitCode !== null || s.process.signalCode !== null) return;
    s.process.kill(signal);
    const done = await within(s.exited.then(() => true), 15_000, false);
    if (!done) {
      s.process.kill('SIGKILL');
      await within(s.exited, 5000, null);
    }
  };
  const readyStatus = async (): Promise<Record<ServiceName, string>> => {
    const out = {} as Record<ServiceName, string>;
    await Promise.all(
      SERVICES.map(async (s) => {
        try {
          const res = await fetch(`${baseUrl(s)}/health/ready`, { signal: AbortSignal.timeout(3000) });
          out[s] = res.status === 200 ? 'ok' : `${res.status} ${(await res.text()).slice(0, 300)}`;
        } catch (e) {
          out[s] = `unreachable: ${e instanceof Error ? e.message : String(e)}`;
        }
      }),
    );
    return out;
  };
  const waitAllReady = async (deadlineMs: number): Promise<Record<ServiceName, string>> => {
    let last = await readyStatus();
    while (Object.values(last).some((v) => v !== 'ok') && Date.now() < deadlineMs) {
      await sleep(500);
      last = await readyStatus();
    }
    return last;
  };
  beforeAll(async () => {
    fs.mkdirSync(logDir, { recursive: true });
    const setupStart = Date.now();
    const mark = (what: string): void => say(`chaos setup: ${what} at ${((Date.now() - setupStart) / 1000).toFixed(1)} s`);
    stackUp = true; // from here on, afterAll stops it (also after a failed `up`)
    await stack.up();
    mark('private stack up');
    // keys: one per service, and an operator (data-scientist + ml-engineer), as `npm run up` makes them
    serviceKeys = await createTestCredentials(stack.databaseUrl, SERVICES.map((s) => `service:${s}` as const));
    operatorKey = await createOperatorKey(stack.databaseUrl);
    client = new StrataClient(
      { ingestion: baseUrl('ingestion'), features: baseUrl('features'), training: baseUrl('training'), registry: baseUrl('registry'), serving: baseUrl('serving'), monitoring: baseUrl('monitoring') },
      operatorKey,
    );
    for (const s of SERVICES) launch(s);
    const ready = await waitAllReady(Date.now() + 240_000);
    if (Object.values(ready).some((v) => v !== 'ok')) throw new Error(`services not ready within 240 s: ${JSON.stringify(ready)}\n${tails()}`);
    mark('six services ready');

    // a dataset, a feature repo materialized to Redis, one training run registered as champion and served
    await client.putDataset(DATASET, parseYaml(fs.readFileSync(path.join(FIXTURES, 'dataset.yaml'), 'utf8')));
    const repoDir = path.join(FIXTURES, 'feature_repo');
    await client.applyFeatureRepo(fs.readdirSync(repoDir).sort().map((file) => ({ file, content: fs.readFileSync(path.join(repoDir, file), 'utf8') })));
    const initial = await ingestSlice(0, INITIAL_ROWS);
    trainRef = { datasetName: DATASET, versionId: initial.versionId };
    await waitMaterialized(initial, Date.now() + 120_000);
    mark('dataset ingested and materialized to Redis');
    const run = await train('initial', Date.now() + 240_000);
    champion = await client.getModelVersionByAlias(modelName, 'champion');
    if (champion.version !== run.modelVersion) throw new Error(`champion is v${champion.version}, the run registered v${String(run.modelVersion)}`);
    featureNames = JSON.parse((champion.signature as { metadata?: Record<string, string> } | undefined)?.metadata?.['strata.feature_names'] ?? '[]') as string[];
    if (featureNames.length !== 5) throw new Error(`unexpected feature names ${JSON.stringify(champion.signature)}`);
    await waitServed(champion.version, Date.now() + 120_000);
    mark(`champion v${champion.version} trained, registered and served`);
    traffic = new Traffic({
      servingUrl: baseUrl('serving'),
      monitoringUrl: baseUrl('monitoring'),
      credential: operatorKey,
      modelName,
      rows: rows.map((r) => ({ eventTime: r.eventTime, label: r.label, features: featureNames.map((f) => r.values[f.split('__').pop()!]!) })),
      tag,
    });
    traffic.start();
    await sleep(3000);
  });

  afterAll(async () => {
    try {
      await traffic?.stop();
    } catch {
      // stopping traffic never blocks cleanup
    }
    await Promise.all(SERVICES.map((s) => stopService(s).catch(() => undefined)));
    try {
      for (const [name, parts] of Object.entries(outputs)) fs.writeFileSync(path.join(logDir, `${name}.log`), parts.map((p, i) => `===== ${name} process #${i + 1}\n${p}`).join('\n'));
    } catch {
      // logs are best effort
    }
    if (stackUp && process.env['CHAOS_KEEP_STACK'] !== '1') {
      await stack.down().catch((e: unknown) => say(`chaos: stack down failed: ${String(e)}`));
      if (ownStateDir) fs.rmSync(stateDir, { recursive: true, force: true });
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('recovers from every fault within the bound, losing and doubling nothing', async () => {
    // the baseline: before any fault everything must already hold
    const baseline = await checkEverything('baseline (no fault)', Date.now(), undefined);
    results.push(baseline);
    for (const fault of faults) {
      const r = await runFault(fault);
      results.push(r);
      say(`chaos: ${r.fault}: ${r.ok ? 'ok' : 'FAILED'} recovery ${String(r.recoverySeconds)} s, lost ${r.eventsLost}, doubled ${r.eventsDoubled}${r.problems.length ? `\n  ${r.problems.join('\n  ')}` : ''}`);
      if (!r.ok) await heal(r);
    }
    await traffic!.stop();
    const table = formatTable(results);
    say(table);
    fs.mkdirSync(path.dirname(reportFile), { recursive: true });
    fs.writeFileSync(reportFile, JSON.stringify({ generatedAt: new Date().toISOString(), recoveryBoundSeconds: RECOVERY_BOUND_S, modelName, acked: traffic!.acked.size, labeled: traffic!.labeled.size, requestFailures: traffic!.failures, results }, null, 2));
    const failed = results.filter((r) => !r.ok).map((r) => `${r.fault}: ${r.problems.join('; ')}`);
    expect({ failed, table }).toEqual({ failed: [], table });
  });

  // ------------------------------------------------------------------------------------ faults

  async function runFault(fault: { name: string } & FaultKind): Promise<FaultResult> {
    const problems: string[] = [];
    const details: Record<string, unknown> = {};
    const t0 = Date.now();
    try {
      if (fault.kind === 'stack') {
        // CHAOS_KAFKA_RESTARTS=N restarts the broker N times in a row (issue #19 saw consumer groups die after three)
        const times = fault.part === 'kafka' ? Math.max(1, Number(process.env['CHAOS_KAFKA_RESTARTS'] ?? 1)) : 1;
        for (let i = 0; i < times; i++) await stack.restart(fault.part);
        details['restarts'] = times;
      } else if (fault.kind === 'kill') {
        const s = running.get(fault.service)!;
        s.process.kill('SIGKILL');
        await within(s.exited, 10_000, null);
        running.delete(fault.service);
        launch(fault.service);
      } else {
        await stack.stop('redis');
        // while Redis is down: a materialization must answer (an error is fine) within a bounded time, never hang
        const tm = Date.now();
        const answer = await fetch(`${baseUrl('features')}/materializations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${operatorKey}` },
          body: JSON.stringify({ featureView: 'person_stats', mode: 'full' }),
          signal: AbortSignal.timeout(30_000),
        }).then(
          async (res) => `${res.status} ${(await res.text()).slice(0, 300)}`,
          (e: unknown) => `no answer: ${e instanceof Error ? e.message : String(e)}`,
        );
        details['materializationWhileRedisDown'] = { answer, seconds: (Date.now() - tm) / 1000 };
        if (answer.startsWith('no answer')) problems.push(`POST /materializations with Redis down did not answer within 30 s (${answer})`);
        await stack.start('redis');
      }
    } catch (e) {
      problems.push(`injecting the fault failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    details['faultSeconds'] = (Date.now() - t0) / 1000;
    return checkEverything(fault.name, t0, fault, problems, details);
  }

  /**
   * After a fault (or at baseline): recovery (ready + a new champion served), then the ledgers.
   * Never throws: every problem is recorded in the result.
   */
  async function checkEverything(name: string, t0: number, fault: FaultKind | undefined, problems: string[] = [], details: Record<string, unknown> = {}): Promise<FaultResult> {
    const deadline = t0 + RECOVERY_BOUND_S * 1000;
    let readySeconds: number | null = null;
    let recoverySeconds: number | null = null;
    let lost = 0;
    let doubled = 0;
    const phases: Record<string, number> = {};
    let phaseStart = Date.now();
    const phase = (name: string): void => {
      phases[name] = (Date.now() - phaseStart) / 1000;
      phaseStart = Date.now();
    };
    try {
      const ready = await waitAllReady(deadline);
      phase('ready');
      // every consumer group that ran before runs again (a consumer that died silently leaves its group Empty)
      const groups = await waitGroupsStable(fault === undefined ? null : liveGroups, Math.max(deadline, Date.now() + 15_000));
      if (fault === undefined) liveGroups = groups.filter((g) => g.state === 'Stable').map((g) => g.groupId);
      const notRunning = groups.filter((g) => liveGroups.includes(g.groupId) && (g.state !== 'Stable' || g.members === 0));
      details['consumerGroups'] = Object.fromEntries(groups.map((g) => [g.groupId, `${g.state}/${g.members}`]));
      if (notRunning.length) problems.push(`consumer groups not running ${Math.round((Date.now() - t0) / 1000)} s after the fault: ${notRunning.map((g) => `${g.groupId} ${g.state} (${g.members} members)`).join(', ')}`);
      phase('groups');
      if (Object.values(ready).every((v) => v === 'ok')) readySeconds = (Date.now() - t0) / 1000;
      else problems.push(`not ready within ${RECOVERY_BOUND_S} s: ${JSON.stringify(Object.fromEntries(Object.entries(ready).filter(([, v]) => v !== 'ok')))}`);
      // a newly promoted champion is served
      const promoted = await promoteNewChampion(`${tag}-${name.replace(/[^a-z0-9]+/gi, '-')}`);
      details['newChampion'] = promoted.version;
      const served = await waitServed(promoted.version, Math.max(deadline, Date.now() + 20_000)).then(
        () => true,
        (e: unknown) => {
          problems.push(`the new champion v${promoted.version} was not served by the deadline: ${e instanceof Error ? e.message : String(e)}`);
          return false;
        },
      );
      if (served && readySeconds !== null) recoverySeconds = (Date.now() - t0) / 1000;
      phase('newChampion');
      if (recoverySeconds !== null && recoverySeconds > RECOVERY_BOUND_S) problems.push(`recovered in ${recoverySeconds} s > bound ${RECOVERY_BOUND_S} s`);

      // training once after the Temporal fault
      if (fault?.kind === 'stack' && fault.part === 'temporal') {
        const run = await train(`after-${name}`, Date.now() + 180_000).catch((e: unknown) => {
          problems.push(`training after the fault: ${e instanceof Error ? e.message : String(e)}`);
          return undefined;
        });
        details['trainingRun'] = run ? { runId: run.runId, modelVersion: run.modelVersion } : null;
        phase('training');
      }

      // ingest + materialize (to Redis) + read online, between faults
      const sliceNo = ++slice;
      const from = INITIAL_ROWS + (sliceNo - 1) * SLICE_ROWS;
      if (from + SLICE_ROWS <= rows.length) {
        try {
          const v = await ingestSlice(from, SLICE_ROWS);
          await waitMaterialized(v, Date.now() + 90_000);
          await checkOnline(from, SLICE_ROWS);
          details['ingested'] = { versionId: v.versionId, rows: SLICE_ROWS };
        } catch (e) {
          problems.push(`ingest → materialize → online read: ${e instanceof Error ? e.message : String(e)}`);
        }
        phase('ingest');
      }

      // the ledgers, with the traffic paused (every acknowledged request is then final)
      await traffic?.pause();
      try {
        const ledger = await checkLedgers(problems, details);
        lost = ledger.lost;
        doubled = ledger.doubled;
        phase('ledgers');
      } finally {
        traffic?.resume();
      }
    } catch (e) {
      problems.push(`check aborted: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
    if (traffic) details['requestFailuresSoFar'] = traffic.failures;
    if (traffic) details['lastRequestErrors'] = traffic.lastErrors.splice(0).slice(-5);
    details['phaseSeconds'] = phases;
    return { fault: name, ok: problems.length === 0 && lost === 0 && doubled === 0, recoverySeconds, readySeconds, eventsLost: lost, eventsDoubled: doubled, details, problems };
  }

  /** Polls the services' consumer groups until `expected` (all six at baseline: null) are Stable with a member, or the deadline. */
  async function waitGroupsStable(expected: string[] | null, deadlineMs: number): Promise<Array<{ groupId: string; state: string; members: number }>> {
    let last: Array<{ groupId: string; state: string; members: number }> = [];
    for (;;) {
      try {
        last = await describeConsumerGroups([stack.kafkaBrokers], [...SERVICES]);
      } catch (e) {
        last = SERVICES.map((groupId) => ({ groupId, state: `unknown (${e instanceof Error ? e.message : String(e)})`, members: 0 }));
      }
      const want = expected ?? last.filter((g) => g.state !== 'Dead').map((g) => g.groupId);
      if (last.filter((g) => want.includes(g.groupId)).every((g) => g.state === 'Stable' && g.members > 0) || Date.now() > deadlineMs) return last;
      await sleep(1000);
    }
  }

  /** Compares what the traffic was told with what monitoring, training, the registry and the outboxes hold. */
  async function checkLedgers(problems: string[], details: Record<string, unknown>): Promise<{ lost: number; doubled: number }> {
    let lost = 0;
    let doubled = 0;
    if (traffic) {
      const ackedIds = [...traffic.acked.keys()];
      const labeledIds = [...traffic.labeled];
      // every acknowledged prediction reaches monitoring (bounded wait), once
      const until = Date.now() + CHECK_DEADLINE_MS;
      let missing: string[] = [];
      for (;;) {
        const stored = await storedPredictionIds(stack.databaseUrl, ackedIds);
        missing = ackedIds.filter((id) => !stored.has(id));
        if (missing.length === 0 || Date.now() > until) break;
        await sleep(1000);
      }
      let missingLabels: string[] = [];
      let labelRows = new Map<string, number>();
      for (;;) {
        labelRows = await storedFeedbackIds(stack.databaseUrl, labeledIds);
        missingLabels = labeledIds.filter((id) => !labelRows.has(id));
        if (missingLabels.length === 0 || Date.now() > until) break;
        await sleep(1000);
      }
      const duplicateLabelRows = [...labelRows.values()].reduce((n, c) => n + (c - 1), 0);
      // the counters monitoring reports from must add up to the stored rows (a re-delivered event counted twice shows here)
      const stored = await storedPredictionCount(stack.databaseUrl, modelName);
      let windows = await client.windows(modelName, 'month');
      let counted = windows.reduce((n, w) => n + w.predictionCount, 0);
      let countedLabels = windows.reduce((n, w) => n + w.labeledCount, 0);
      for (let i = 0; i < 10 && (counted < stored.predictions || countedLabels < stored.labeled); i++) {
        await sleep(1000); // folding runs every second
        windows = await client.windows(modelName, 'month');
        counted = windows.reduce((n, w) => n + w.predictionCount, 0);
        countedLabels = windows.reduce((n, w) => n + w.labeledCount, 0);
      }
      const lostPredictions = missing.length;
      const lostLabels = missingLabels.length;
      const doubledPredictions = Math.max(0, counted - stored.predictions);
      const doubledLabels = Math.max(0, countedLabels - stored.labeled) + duplicateLabelRows;
      if (counted < stored.predictions) problems.push(`monitoring's windows count ${counted} predictions, ${stored.predictions} are stored`);
      // lost ids are attributed to the first fault after which they were missing (a later heal may still deliver them)
      const newLost = missing.filter((id) => !reportedLost.predictions.has(id));
      const newLostLabels = missingLabels.filter((id) => !reportedLost.labels.has(id));
      const deliveredLate = [...reportedLost.predictions].filter((id) => !missing.includes(id)).length;
      newLost.forEach((id) => reportedLost.predictions.add(id));
      newLostLabels.forEach((id) => reportedLost.labels.add(id));
      lost += newLost.length + newLostLabels.length;
      doubled += Math.max(0, doubledPredictions - doubledSoFar.predictions) + Math.max(0, doubledLabels - doubledSoFar.labels);
      details['predictions'] = { acked: ackedIds.length, stored: stored.predictions, counted, missing: lostPredictions, newlyMissing: newLost.length, missingSample: newLost.slice(0, 5), deliveredAfterAnEarlierFault: deliveredLate };
      details['labels'] = { accepted: labeledIds.length, stored: stored.labeled, counted: countedLabels, missing: lostLabels, newlyMissing: newLostLabels.length, duplicateRows: duplicateLabelRows };
      if (newLost.length) problems.push(`${newLost.length} acknowledged predictions not in monitoring ${CHECK_DEADLINE_MS / 1000} s after the check began (e.g. ${newLost.slice(0, 3).join(', ')})`);
      if (newLostLabels.length) problems.push(`${newLostLabels.length} accepted labels not stored in monitoring`);
      if (doubledPredictions > doubledSoFar.predictions || doubledLabels > doubledSoFar.labels) problems.push(`counted twice: ${doubledPredictions} predictions, ${doubledLabels} labels`);
      doubledSoFar = { predictions: doubledPredictions, labels: doubledLabels };
    }
    // training: every started run completed and registered exactly one version
    const t = await trainingLedger(stack.databaseUrl, modelName);
    const notDone = t.runs.filter((r) => r.status !== 'COMPLETED' || r.modelVersion === null);
    const registeredTwice = [...t.versionsPerRun.entries()].filter(([, n]) => n > 1);
    const unknownRuns = trainingRunsStarted.filter((id) => !t.runs.some((r) => r.runId === id));
    if (notDone.length) problems.push(`training runs not completed/registered: ${JSON.stringify(notDone)}`);
    if (unknownRuns.length) problems.push(`training runs lost: ${unknownRuns.join(', ')}`);
    if (registeredTwice.length) problems.push(`runs registered more than once: ${JSON.stringify(registeredTwice)}`);
    details['trainingRuns'] = { started: trainingRunsStarted.length, completed: t.runs.length - notDone.length };
    // outboxes drain
    let outbox: Record<string, number> = {};
    const until = Date.now() + CHECK_DEADLINE_MS;
    for (;;) {
      outbox = await unsentOutbox(stack.databaseUrl);
      if (Object.values(outbox).every((n) => n === 0) || Date.now() > until) break;
      await sleep(1000);
    }
    const stuck = Object.entries(outbox).filter(([, n]) => n > 0);
    if (stuck.length) problems.push(`outbox rows still unsent after ${CHECK_DEADLINE_MS / 1000} s: ${JSON.stringify(Object.fromEntries(stuck))}`);
    details['outboxUnsent'] = Object.fromEntries(stuck);
    return { lost: Math.max(0, lost) + unknownRuns.length + notDone.length, doubled: Math.max(0, doubled) + registeredTwice.length };
  }

  /** After a failed fault: restart the six services so the next fault starts from a healthy platform (recorded). */
  async function heal(r: FaultResult): Promise<void> {
    const t = Date.now();
    await traffic?.pause();
    await Promise.all(SERVICES.map((s) => stopService(s)));
    for (const s of SERVICES) launch(s);
    const ready = await waitAllReady(Date.now() + 180_000);
    traffic?.resume();
    r.details['healedByRestartingServices'] = { seconds: (Date.now() - t) / 1000, ready };
    say(`chaos: healed after '${r.fault}' by restarting the six services in ${(Date.now() - t) / 1000} s`);
    try {
      await waitServed((await client.getModelVersionByAlias(modelName, 'champion')).version, Date.now() + 60_000);
    } catch (e) {
      r.details['healFailed'] = String(e);
    }
  }

  // ------------------------------------------------------------------------------------ steps

  async function ingestSlice(from: number, count: number): Promise<DatasetVersion> {
    const file = path.join(workDir, `slice-${from}-${count}.csv`);
    const lines = fs.readFileSync(path.join(FIXTURES, 'adult-1200.csv'), 'utf8').trimEnd().split(/\r?\n/);
    fs.writeFileSync(file, [lines[0], ...lines.slice(1 + from, 1 + from + count)].join('\n') + '\n');
    return client.registerDatasetFile(DATASET, `file://${file}`, 'csv', 'reject');
  }

  async function waitMaterialized(version: DatasetVersion, deadlineMs: number): Promise<void> {
    let last = '';
    while (Date.now() < deadlineMs) {
      const ms = await client.listMaterializations({ datasetVersion: version.versionId }).catch((e: unknown) => {
        last = String(e);
        return [];
      });
      const ok = ms.find((m) => m.featureView === 'person_stats' && m.status === 'SUCCEEDED');
      if (ok) return;
      last = JSON.stringify(ms.map((m) => ({ status: m.status, error: m.error })));
      await sleep(1000);
    }
    throw new Error(`dataset version ${version.versionId} not materialized (SUCCEEDED) in time: ${last}`);
  }

  /** The online store (Redis) answers the slice's feature values. */
  async function checkOnline(from: number, count: number): Promise<void> {
    const ids = [from + 1, from + Math.floor(count / 2), from + count];
    const res = await client.features.post<{ results: Array<{ values: unknown[]; statuses: string[] }> }>('/get-online-features', {
      features: ['person_stats:age'],
      entities: { person_id: ids },
    });
    const ages = res.results[1]!;
    const expected = ids.map((id) => rows[id - 1]!.values['age']);
    if (JSON.stringify(ages.statuses) !== JSON.stringify(ids.map(() => 'PRESENT')) || JSON.stringify(ages.values.map(Number)) !== JSON.stringify(expected)) {
      throw new Error(`online features for persons ${ids.join(',')}: ${JSON.stringify(ages)}, expected ages ${JSON.stringify(expected)}`);
    }
  }

  async function train(requestId: string, deadlineMs: number): Promise<{ runId: string; modelVersion?: number }> {
    const started = await client.startTrainingRun({
      modelName,
      trainer: 'logistic_regression',
      params: { l2: 1e-3, maxIterations: 50 },
      trainingSet: 'adult_income',
      trainDatasetVersions: [trainRef],
      evaluation: { splitTime: rows[479]!.eventTime },
      requestId: `${tag}-${requestId}`.replace(/[^A-Za-z0-9_.:-]/g, '-'),
    });
    trainingRunsStarted.push(started.runId);
    let last = '';
    while (Date.now() < deadlineMs) {
      const r = await client.getTrainingRun(started.runId).catch(() => undefined);
      if (r) {
        last = `${r.status} ${r.step ?? ''}`;
        if (r.status === 'COMPLETED') return { runId: r.runId, modelVersion: r.modelVersion };
        if (r.status === 'FAILED' || r.status === 'CANCELLED') throw new Error(`training run ${r.runId} ${r.status}: ${JSON.stringify(r.error)}`);
      }
      await sleep(1000);
    }
    throw new Error(`training run ${started.runId} not COMPLETED in time (last: ${last})`);
  }

  /** Registers the champion's artifact again (a new version) and moves `champion` to it. */
  async function promoteNewChampion(runId: string): Promise<ModelVersion> {
    const source = champion as ModelVersion & Record<string, unknown>;
    const created = await client.registry.post<ModelVersion>(`/registered-models/${encodeURIComponent(modelName)}/versions`, {
      runId: `${runId}-${++reRegistered}`,
      artifactUri: source.artifactUri,
      artifactSha256: source.artifactSha256,
      signature: source['signature'],
      metrics: source.metrics,
      params: source['params'] ?? {},
      lineage: source.lineage,
      referenceProfileUri: source.referenceProfileUri ?? null,
      referenceProfileSha256: source['referenceProfileSha256'] ?? null,
      description: 'chaos suite: re-registered to move the champion alias',
    });
    await client.setAlias(modelName, 'champion', created.version, 'chaos suite: a new champion after a fault', 'chaos');
    return created;
  }

  /** Waits until serving's un-versioned infer answers with `version` (traffic keeps flowing meanwhile). */
  async function waitServed(version: number, deadlineMs: number): Promise<void> {
    let last: string | number | undefined;
    while (Date.now() < deadlineMs) {
      if (traffic) {
        last = await traffic.inferOnce();
      } else {
        const res = await fetch(`${baseUrl('serving')}/v2/models/${encodeURIComponent(modelName)}/versions/${version}/ready`, { headers: { authorization: `Bearer ${operatorKey}` }, signal: AbortSignal.timeout(3000) }).catch(() => undefined);
        last = res ? `ready ${res.status}` : 'unreachable';
        if (res?.status === 200) return;
      }
      if (last === version) return;
      await sleep(500);
    }
    throw new Error(`serving answered with ${String(last)} instead of v${version}`);
  }

  function tails(): string {
    return SERVICES.map((s) => `--- ${s}\n${(outputs[s] ?? []).join('').slice(-1500)}`).join('\n');
  }
});

/** The fixture's rows: values by column, event time (ISO UTC) and label. */
function readFixture(): Array<{ eventTime: string; label: number; values: Record<string, number> }> {
  const [header, ...lines] = fs.readFileSync(path.join(FIXTURES, 'adult-1200.csv'), 'utf8').trimEnd().split(/\r?\n/);
  const cols = header!.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    const values: Record<string, number> = {};
    cols.forEach((c, i) => {
      if (c !== 'event_time') values[c] = Number(cells[i]);
    });
    return { eventTime: `${cells[cols.indexOf('event_time')]!.replace(' ', 'T')}.000Z`, label: values['income_over_50k']!, values };
  });
}

/** An operator key (data-scientist + ml-engineer), as `strata auth service-keys` creates it. */
async function createOperatorKey(databaseUrl: string): Promise<string> {
  const pg = new PgClient({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await pg.connect();
  try {
    await pg.query('BEGIN');
    await migrateSecuritySchemas(pg);
    await pg.query('COMMIT');
    const created = await new ApiKeyStore(pg).create({ name: `chaos-operator-${Date.now().toString(36)}`, roles: ['data-scientist', 'ml-engineer'], projects: null, expiresAt: new Date(Date.now() + 3_600_000), createdBy: 'chaos-suite' });
    return created.key;
  } finally {
    await pg.end();
  }
}

/** `promise`'s value, or `fallback` after `ms` (the timer is cleared either way, so it never keeps jest alive). */
async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Progress and the final table go straight to stderr (jest's console capture would hold them until the end). */
function say(text: string): void {
  process.stderr.write(`${text}\n`);
}

function formatTable(results: FaultResult[]): string {
  const head = ['fault', 'result', 'ready (s)', 'recovery (s)', 'lost', 'doubled'];
  const body = results.map((r) => [r.fault, r.ok ? 'ok' : 'FAILED', r.readySeconds?.toFixed(1) ?? '—', r.recoverySeconds?.toFixed(1) ?? '—', String(r.eventsLost), String(r.eventsDoubled)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join(' │ ');
  const problems = results.filter((r) => r.problems.length).map((r) => `  ${r.fault}:\n    ${r.problems.join('\n    ')}`);
  return ['Chaos suite: one fault at a time', line(head), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...body.map(line), ...(problems.length ? ['problems:', ...problems] : [])].join('\n');
}

