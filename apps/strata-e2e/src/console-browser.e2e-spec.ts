/**
 * The web console (issue 13) in a real browser: Debian's Chromium (installed by
 * tools/browser/ensure-chromium.sh, called from this spec's beforeAll) driven by playwright-core,
 * against the six real services enforced (ports 3101-3106, a database, consumer groups and task
 * queues of their own on the shared stack) and apps/console on 3107 serving a fresh Vite build.
 *
 * Seeded through the `strata` CLI with the Adult census example (examples/adult, not taxi):
 * dataset → features → train v1 (champion) → the held-out February 2024 rows replayed through
 * serving with their labels (from 2024-02-08 the request categories are all set to one value, so
 * monitoring raises dataset drift on those days) → train v2 → promotion policy (PUT through the
 * console's proxy with the user's key) → `strata models promote` (a recorded decision).
 *
 * In the browser: log in with the operator key → Models → the model page shows v1, v2 and the
 * decision with the registry's numbers → lineage of v2, click the dataset version node → its
 * content sha256 equals the ingested version's → monitoring shows the drift chart with the drift
 * days marked → a canary rollout (started with the CLI, live traffic and labels through serving
 * and monitoring) shows the live comparison with monitoring's numbers; a viewer sees no buttons,
 * the operator (ml-engineer) presses Promote and the registry's champion moves, audited as the
 * operator → at 420 px no page scrolls sideways → Platform shows six services up; serving
 * stopped → it is named as unreachable.
 * Screenshots of each page: $STRATA_TEST_RESULTS_DIR/console/*.png (default .run/test-results).
 *
 * Bounded: every CLI call has a timeout, every browser wait has a timeout, every wait on the
 * platform is `eventually` with a deadline; the browser and every process are closed in afterAll.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RunningService, REPO_ROOT, createTestCredentials, eventually, infraEnv, isolatedPlatform, startService, uniqueName, waitReady } from '@strata/shared/testing';
import { type Browser, type Page, chromium } from 'playwright-core';

jest.setTimeout(1_800_000);


const SERVICES = ['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'] as const;
/** The six services listen on PORT_BASE..+5 and the console on +6 (`CONSOLE_E2E_PORT_BASE`, default 3101: two runs on one machine need two bases). */
const PORT_BASE = Number(process.env['CONSOLE_E2E_PORT_BASE'] ?? 3101);
const CONSOLE_PORT = PORT_BASE + 6;
const EXAMPLE = path.join(REPO_ROOT, 'examples/adult');
const FIXTURE = path.join(EXAMPLE, 'data/adult-4000.csv');
const BIN = path.join(REPO_ROOT, 'apps/cli/bin/strata.cjs');
const SPLIT = '2024-02-01T00:00:00.000Z';
/** From this day on, the replayed requests carry one value per category: dataset drift. */
const DRIFT_FROM = '2024-02-08';
const DRIFTED_REQUEST = { workclass: 'Self-emp-not-inc', marital_status: 'Never-married', occupation: 'Sales', relationship: 'Own-child', sex: 'Female', race: 'Other' };
const REQUEST_FIELDS = Object.keys(DRIFTED_REQUEST) as Array<keyof typeof DRIFTED_REQUEST>;
const WAIT_MS = 30_000;

type Row = Record<string, string>;
const rows: Row[] = (() => {
  const [header, ...lines] = fs.readFileSync(FIXTURE, 'utf8').trim().split('\n');
  const cols = header!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
})();
const accepted = rows.filter((r) => r['workclass'] !== '?');
/** The held-out rows replayed: the first 45 of each day (enough for a day window's drift, MONITORING_MIN_PREDICTIONS 30; light on a shared machine). */
const replay = (() => {
  const perDay = new Map<string, number>();
  return accepted.filter((r) => {
    if (Number(r['event_time']) * 1000 < Date.parse(SPLIT)) return false;
    const day = new Date(Number(r['event_time']) * 1000).toISOString().slice(0, 10);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
    return perDay.get(day)! <= 45;
  });
})();
const eventTime = (r: Row): string => new Date(Number(r['event_time']) * 1000).toISOString();
const predictBody = (r: Row): Record<string, unknown> => {
  const drifted = eventTime(r) >= DRIFT_FROM;
  return { entities: { person_id: Number(r['person_id']) }, request: Object.fromEntries(REQUEST_FIELDS.map((f) => [f, drifted ? DRIFTED_REQUEST[f] : r[f]])), eventTime: eventTime(r) };
};

describe('the web console in Chromium', () => {
  const env = infraEnv();
  const tag = uniqueName('console');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-console-e2e-data-'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-console-e2e-'));
  const uiDir = path.join(work, 'console-ui');
  const project = path.join(work, 'adult');
  const credentialsFile = path.join(work, 'creds', 'credentials.env');
  const shots = path.join(process.env['STRATA_TEST_RESULTS_DIR'] ?? path.join(REPO_ROOT, '.run/test-results'), 'console');
  const urls = Object.fromEntries(SERVICES.map((s, i) => [`${s.toUpperCase()}_URL`, `http://127.0.0.1:${PORT_BASE + i}`]));
  const consoleUrl = `http://127.0.0.1:${CONSOLE_PORT}`;
  const model = tag.replace(/_/g, '-').replace(/^console/, 'adult-console');
  const dataset = tag.replace(/^console/, 'adult_people');
  // a database, consumer groups (positioned at the topics' ends) and task queues of its own on the shared stack
  const platform = isolatedPlatform(env, tag);
  const databaseUrl = platform.databaseUrl;
  const running: RunningService[] = [];
  let browser: Browser | undefined;
  let page: Page;
  let operatorKey: string;

  /** Runs the strata bin in the project folder; never throws (exit code is returned). */
  const strata = (args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { cwd: opts.cwd ?? project, env: { ...process.env, ...urls, STRATA_CREDENTIALS_FILE: credentialsFile, STRATA_API_KEY: '', STRATA_CLI_POLL_MS: '500', ...(opts.env ?? {}) }, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
  const json = async <T = Record<string, unknown>>(args: string[]): Promise<T> => {
    const r = await strata([...args, '--json']);
    if (r.code !== 0) throw new Error(`strata ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${running.map((s) => `--- ${s.name}\n${s.output().slice(-1500)}`).join('\n')}`);
    return JSON.parse(r.stdout) as T;
  };
  /** A call through the console's proxy with the operator's key, as the browser makes it. */
  const viaConsole = async (method: string, p: string, body?: unknown, key: string = operatorKey): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${consoleUrl}${p}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true, timeout: WAIT_MS });
  };

  beforeAll(async () => {
    // the browser first: a machine without Chromium gets Debian's package (root), else fails naming it
    const chromiumPath = execFileSync('bash', [path.join(REPO_ROOT, 'tools/browser/ensure-chromium.sh')], { encoding: 'utf8', timeout: 1_300_000, stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    // a fresh build of the single-page app for this run (the console serves CONSOLE_UI_DIR)
    execFileSync(path.join(REPO_ROOT, 'node_modules/.bin/vite'), ['build', '-c', 'libs/console/ui/vite.config.mjs', '--outDir', uiDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: REPO_ROOT, timeout: 300_000, stdio: 'inherit' });
    fs.mkdirSync(shots, { recursive: true });
    await platform.create();
    const keys = await strata(['auth', 'service-keys', '--out', credentialsFile], { cwd: REPO_ROOT, env: { DATABASE_URL: databaseUrl } });
    expect(keys.code).toBe(0);
    operatorKey = /^STRATA_API_KEY=(.+)$/m.exec(fs.readFileSync(credentialsFile, 'utf8'))![1]!.trim();
    const serviceEnv = {
      STRATA_AUTH_MODE: 'enforce',
      STRATA_API_KEY: undefined,
      ...platform.serviceEnv,
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
      TEMPORAL_ADDRESS: env.temporalAddress,
      STRATA_DATA_DIR: dataDir,
      // ~90 predictions per day of the replay: drift is computed per day window
      MONITORING_MIN_PREDICTIONS: '30',
      // v2 is trained by this test, not by the closed loop reacting to the drift it provokes
      TRAINING_RETRAIN_ON_EVENTS: 'false',
      ...urls,
    };
    SERVICES.forEach((name, i) => running.push(startService(name, PORT_BASE + i, { ...serviceEnv, STRATA_API_KEY_FILE: path.join(path.dirname(credentialsFile), 'credentials', `${name}.key`) })));
    // the console: no database, no Kafka, no key of its own
    running.push(startService('console', CONSOLE_PORT, { STRATA_AUTH_MODE: 'enforce', STRATA_API_KEY: undefined, STRATA_API_KEY_FILE: undefined, CONSOLE_UI_DIR: uiDir, CONSOLE_PROXY_TIMEOUT_MS: '60000', ...urls }));
    await Promise.all(running.map((s) => waitReady(s, 180_000)));
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'], timeout: 60_000 });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(WAIT_MS);
    page.setDefaultNavigationTimeout(WAIT_MS);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(running.map((s) => s.stop('SIGTERM')));
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
    await platform.drop();
  });

  let datasetSha: string;
  let datasetVersionId: string;
  /** The canary rollout the rollout step starts and promotes (its challenger becomes the champion). */
  let rollout: { rolloutId: string; championBefore: number; challenger: number };
  let decision: { outcome: string; challengerValue: number; championValue: number; improvement: number | null; reason: string };
  let champion: number;

  it('seeds the platform with the Adult example through the CLI: two versions, a promotion decision, a labeled replay with drift', async () => {
    fs.mkdirSync(path.join(project, 'feature_repo'), { recursive: true });
    fs.cpSync(path.join(EXAMPLE, 'feature_repo'), path.join(project, 'feature_repo'), { recursive: true });
    fs.copyFileSync(path.join(EXAMPLE, 'dataset.yaml'), path.join(project, 'dataset.yaml'));
    for (const file of ['dataset.yaml', ...fs.readdirSync(path.join(project, 'feature_repo')).map((f) => `feature_repo/${f}`)]) {
      fs.writeFileSync(path.join(project, file), fs.readFileSync(path.join(project, file), 'utf8').replace(/\badult_people\b/g, dataset));
    }
    await json(['datasets', 'apply', 'dataset.yaml']);
    const version = await json<{ versionId: string; contentSha256: string; rowCount: number }>(['datasets', 'ingest', dataset, FIXTURE]);
    expect(version.rowCount).toBe(accepted.length);
    datasetSha = version.contentSha256;
    datasetVersionId = version.versionId;
    await json(['features', 'apply']);
    expect((await json<{ status: string }>(['features', 'materialize', 'person_profile', '--mode', 'full'])).status).toBe('SUCCEEDED');
    const v1 = await json<{ status: string; modelVersion: number }>(['train', '--model', model, '--training-set', 'adult_income', '--dataset', dataset, '--split-time', SPLIT]);
    expect(v1).toMatchObject({ status: 'COMPLETED', modelVersion: 1 });
    // the held-out rows served by v1 (the only version yet), then their labels
    fs.writeFileSync(path.join(project, 'requests.ndjson'), replay.map((r) => JSON.stringify(predictBody(r))).join('\n') + '\n');
    const predictions = await json<Array<{ predictionId: string }>>(['predict', model, '--file', 'requests.ndjson', '--concurrency', '4']);
    expect(predictions).toHaveLength(replay.length);
    fs.writeFileSync(
      path.join(project, 'labels.ndjson'),
      predictions.map((p, i) => JSON.stringify({ predictionId: p.predictionId, label: replay[i]!['income'] === '>50K' ? 1 : 0, observedAt: eventTime(replay[i]!) })).join('\n') + '\n',
    );
    expect((await json<{ sent: number }>(['feedback', model, '--file', 'labels.ndjson'])).sent).toBe(replay.length);
    const v2 = await json<{ status: string; modelVersion: number }>(['train', '--model', model, '--training-set', 'adult_income', '--dataset', dataset, '--split-time', SPLIT, '--param', 'l2=0.1']);
    expect(v2).toMatchObject({ status: 'COMPLETED', modelVersion: 2 });
    // the policy through the console's proxy, with the user's own key
    const policy = await viaConsole('PUT', `/api/registry/registered-models/${model}/promotion-policy`, { metric: 'roc_auc', direction: 'maximize', minMargin: 0, autoPromote: false });
    expect(policy.status).toBe(200);
    decision = await json(['models', 'promote', model, '--version', '2']);
    expect(['promoted', 'rejected']).toContain(decision.outcome);
    champion = decision.outcome === 'promoted' ? 2 : 1;
    await eventually(async () => {
      const w = await json<Array<{ predictionCount: number; labeledCount: number; datasetDrift: boolean }>>(['monitor', 'windows', model, '--window', 'day', '--version', '1']);
      const predicted = w.reduce((a, x) => a + x.predictionCount, 0);
      const labeled = w.reduce((a, x) => a + x.labeledCount, 0);
      if (predicted !== replay.length || labeled !== replay.length) throw new Error(`monitoring has ${predicted} predictions, ${labeled} labels of ${replay.length}`);
      if (!w.some((x) => x.datasetDrift)) throw new Error('no window with dataset drift yet');
    }, 600_000, 10_000);
  });

  it('logs in with the API key and lists the model with its champion', async () => {
    await page.goto(`${consoleUrl}/models`);
    await page.waitForURL('**/login');
    await shot('01-login');
    await page.fill('#api-key', operatorKey);
    await page.click('button[type=submit]');
    await page.waitForURL('**/models');
    const row = page.locator('[data-testid=models-table] tr', { hasText: model });
    await row.waitFor();
    expect(await row.locator('td').nth(2).textContent()).toBe(`v${champion}`);
    await shot('02-models');
  });

  it('the model page shows both versions with metrics and the promotion decision with its numbers', async () => {
    await page.click(`text=${model}`);
    await page.locator('[data-testid=versions-table]').waitFor();
    expect(await page.locator('[data-testid=version-1]').count()).toBe(1);
    expect(await page.locator('[data-testid=version-2]').count()).toBe(1);
    expect(await page.locator(`[data-testid=version-${champion}] .alias-champion`).textContent()).toBe('champion');
    const cells = await page.locator('[data-testid=decisions-table] tbody tr').first().locator('td').allTextContents();
    expect(cells[1]).toContain(decision.outcome);
    expect(cells[2]).toBe('v2 vs v1');
    expect(cells[4]).toBe(decision.challengerValue.toFixed(3));
    expect(cells[5]).toBe(decision.championValue.toFixed(3));
    expect(cells[6]).toBe(decision.improvement === null ? '—' : `${decision.improvement >= 0 ? '+' : ''}${decision.improvement.toFixed(3)}`);
    expect(cells[8]).toBe(decision.reason);
    await shot('03-model');
  });

  it('the lineage graph of v2 leads to the dataset version (content sha256)', async () => {
    await page.locator('[data-testid=version-2] a', { hasText: 'lineage' }).click();
    await page.locator('[data-testid=lineage-graph]').waitFor();
    expect(await page.locator('[data-testid=node-dataset-version]').count()).toBe(1);
    expect(await page.locator('[data-testid=node-run]').count()).toBe(1);
    expect(await page.locator('[data-testid=node-model-version]').count()).toBe(1);
    // the seeding's full materialization of person_profile over the ingested version (loaded after the graph)
    await page.locator('[data-testid=node-materialization]').first().waitFor();
    await page.locator('[data-testid=node-dataset-version]').click();
    const detail = page.locator('[data-testid=dataset-version-detail]');
    await detail.waitFor();
    expect(await detail.locator('.digest').textContent()).toBe(datasetSha);
    // the whole graph fits the 1280 px window: the model version node (the last rank) is not cut off
    const mv = (await page.locator('[data-testid=node-model-version]').boundingBox())!;
    expect(mv.x + mv.width).toBeLessThanOrEqual(1280);
    await shot('04-lineage');
  });

  it('the training run of v2 shows its params, metrics and loss per iteration', async () => {
    await page.locator('[data-testid=node-run]').click();
    await page.locator('[data-testid=open-run]').click();
    await page.locator('[data-testid=run-params]').waitFor();
    const row = (table: string, key: string) => page.locator(`[data-testid=${table}] tr`, { has: page.locator(`th:text-is("${key}")`) }).locator('td');
    expect(await row('run-params', 'l2').textContent()).toBe('0.1');
    expect(await row('run-metrics', 'roc_auc').count()).toBe(1);
    // the run is mirrored into the registry's tracking when it ends (best effort, asynchronous)
    await eventually(async () => {
      await page.reload();
      await page.locator('[data-testid=series-chart] svg').waitFor({ timeout: 10_000 });
    }, 120_000, 2_000);
    expect(await page.locator('[data-testid=series-chart] svg text', { hasText: 'train_loss' }).count()).toBeGreaterThanOrEqual(1);
    await shot('04b-run');
  });

  it('monitoring shows drift per feature over time with the drift days marked, and ROC AUC over time', async () => {
    await page.goto(`${consoleUrl}/models/${model}/monitoring`);
    // a monitoring report folds the pending counters first: slow on a loaded machine
    await page.locator('[data-testid=drift-chart] svg').waitFor({ timeout: 90_000 });
    await page.locator('[data-testid=performance-chart] svg').waitFor();
    const alerts = (await page.locator('[data-testid=alert-windows]').textContent()) ?? '';
    // exactly the days monitoring raised dataset drift on are marked, among them the first drifted day
    const windows = (await viaConsole('GET', `/api/monitoring/models/${model}/windows?window=day&version=1`)).body as Array<{ windowStart: string; datasetDrift: boolean }>;
    const driftDays = windows.filter((w) => w.datasetDrift).map((w) => w.windowStart.slice(0, 10));
    expect(driftDays).toContain(DRIFT_FROM);
    expect(alerts.match(/\d{4}-\d{2}-\d{2}(?= drift:)/g)).toEqual(driftDays.sort());
    // one legend entry per monitored feature, with its method
    expect(await page.locator('[data-testid=drift-chart] svg text', { hasText: '(psi)' }).count()).toBeGreaterThanOrEqual(5);
    await shot('05-monitoring');
  });

  it('the data pages: the dataset version with its profile and quarantined rows (downloaded as CSV), and the feature view\'s freshness', async () => {
    const quarantined = rows.length - accepted.length;
    expect(quarantined).toBeGreaterThan(0);
    await page.goto(`${consoleUrl}/data/datasets`);
    await page.locator('[data-testid=datasets-table]').getByRole('link', { name: dataset, exact: true }).click();
    const version = page.locator(`[data-testid="dataset-version-${datasetVersionId}"]`);
    await version.waitFor();
    // the versions table: the content sha256 as ingested (shortened to 12 hex digits), the quarantined count
    expect(await version.locator('td').nth(4).textContent()).toBe(`${datasetSha.slice(0, 12)}…`);
    expect(Number(await version.locator('td').nth(6).textContent())).toBe(quarantined);
    await version.getByRole('link', { name: datasetVersionId }).click();
    await page.locator('[data-testid=profile-table]').waitFor();
    expect(await page.locator('[data-testid=dataset-version-facts]').textContent()).toContain(datasetSha);
    // the profile has one row per column of the dataset spec (the fixture's header)
    expect(await page.locator('[data-testid=profile-table] tbody tr').count()).toBe(Object.keys(rows[0]!).length);
    expect(Number(await page.locator('[data-testid=quarantined-rows]').textContent())).toBe(quarantined);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: WAIT_MS }), page.click('[data-testid=quarantine-download]')]);
    const saved = path.join(work, 'quarantine.csv');
    await download.saveAs(saved);
    const csv = fs.readFileSync(saved, 'utf8').trim().split('\n');
    // ingestion's quarantine CSV: a header (_row, _reasons, the uploaded columns), then one line per
    // quarantined row, each failing on workclass (the fixture's rows with workclass '?')
    expect(csv[0]).toMatch(/^_row,_reasons,person_id,/);
    expect(csv).toHaveLength(quarantined + 1);
    expect(csv.slice(1).filter((l) => l.includes('workclass [')).length).toBe(quarantined);
    await shot('08-dataset-version');
    await page.goto(`${consoleUrl}/data/features`);
    const view = page.locator('[data-testid=feature-view-person_profile]');
    await view.waitFor();
    // materialized by the seeding step: a watermark (the newest event time, in 2024), so never 'never'
    expect(['fresh', 'stale']).toContain(await view.getAttribute('data-freshness'));
    expect(await view.locator('td').nth(7).textContent()).toMatch(/^2024-/);
    await shot('09-feature-store');
  });

  it('a canary rollout: the live comparison, no buttons for a viewer, Promote by the operator moves the champion (audited as the operator)', async () => {
    const challenger = champion === 2 ? 1 : 2;
    const started = await json<{ rolloutId: string; status: string }>(['rollout', 'start', model, '--version', String(challenger), '--weight', '0.5', '--reason', 'console e2e canary']);
    rollout = { rolloutId: started.rolloutId, championBefore: champion, challenger };
    expect(started.status).toBe('active');
    // serving applies the route (model-rollout-changed) before traffic is sent
    await eventually(async () => {
      const route = await viaConsole('GET', `/api/serving/models/${model}/rollout`);
      if (!JSON.stringify(route.body).includes(started.rolloutId)) throw new Error(`serving has not applied rollout ${started.rolloutId}: ${JSON.stringify(route.body)}`);
    }, 120_000, 1_000);
    // 60 requests (below the guard's 100-request verdict) and their labels. Live traffic has no
    // replayed event time: the comparison counts labels only on predictions after the challenger's
    // training data cutoff, which the February 2024 rows are not (they are in its training set).
    const traffic = replay.slice(0, 60);
    const liveBody = (r: Row): Record<string, unknown> => {
      const { eventTime: _replayed, ...live } = predictBody(r);
      return live;
    };
    fs.writeFileSync(path.join(project, 'rollout-requests.ndjson'), traffic.map((r) => JSON.stringify(liveBody(r))).join('\n') + '\n');
    const predictions = await json<Array<{ predictionId: string }>>(['predict', model, '--file', 'rollout-requests.ndjson', '--concurrency', '4']);
    expect(predictions).toHaveLength(traffic.length);
    fs.writeFileSync(path.join(project, 'rollout-labels.ndjson'), predictions.map((p, i) => JSON.stringify({ predictionId: p.predictionId, label: traffic[i]!['income'] === '>50K' ? 1 : 0, observedAt: new Date().toISOString() })).join('\n') + '\n');
    expect((await json<{ sent: number }>(['feedback', model, '--file', 'rollout-labels.ndjson'])).sent).toBe(traffic.length);
    type Arm = { version: number; requestCount: number; labeledCount: number; metricValue: number | null };
    let live: { rolloutId: string; champion: Arm; challenger: Arm } | undefined;
    await eventually(async () => {
      const c = await viaConsole('GET', `/api/monitoring/models/${model}/rollouts/current/comparison`);
      const body = c.body as typeof live;
      const requests = (body?.champion.requestCount ?? 0) + (body?.challenger.requestCount ?? 0);
      const labeled = (body?.champion.labeledCount ?? 0) + (body?.challenger.labeledCount ?? 0);
      if (c.status !== 200 || requests !== traffic.length || labeled !== traffic.length) throw new Error(`comparison ${c.status}: ${requests} requests, ${labeled} labels of ${traffic.length}`);
      live = body;
    }, 300_000, 3_000);
    expect(live!.rolloutId).toBe(started.rolloutId);
    expect(live!.challenger.version).toBe(challenger);

    // a viewer sees the comparison but no Promote / Roll back
    const keys = await createTestCredentials(databaseUrl, ['viewer', 'admin'] as const);
    const viewerPage = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      viewerPage.setDefaultTimeout(WAIT_MS);
      await viewerPage.goto(`${consoleUrl}/login`);
      await viewerPage.fill('#api-key', keys.viewer);
      await viewerPage.click('button[type=submit]');
      await viewerPage.waitForURL('**/models');
      await viewerPage.goto(`${consoleUrl}/models/${model}/rollouts/${started.rolloutId}`);
      await viewerPage.locator('[data-testid=live-comparison]').waitFor();
      await viewerPage.locator('[data-testid=rollout-readonly]').waitFor();
      expect(await viewerPage.locator('[data-testid=promote]').count()).toBe(0);
      expect(await viewerPage.locator('[data-testid=rollback]').count()).toBe(0);
      await viewerPage.screenshot({ path: path.join(shots, '06b-rollout-viewer.png'), fullPage: true, timeout: WAIT_MS });
    } finally {
      await viewerPage.close();
    }

    // the operator: the rollouts list → the active rollout → the live comparison with monitoring's numbers
    await page.goto(`${consoleUrl}/models/${model}`);
    await page.locator('[data-testid=model-summary] a', { hasText: 'rollouts' }).click();
    await page.locator(`[data-testid=rollout-${started.rolloutId}] a`).click();
    const table = page.locator('[data-testid=live-comparison]');
    await table.waitFor();
    const line = async (measure: string): Promise<string[]> => table.locator('tr', { has: page.locator(`th:text-is("${measure}")`) }).locator('td').allTextContents();
    expect((await line('version')).slice(0, 2)).toEqual([`v${champion}`, `v${challenger}`]);
    expect((await line('traffic')).slice(0, 2)).toEqual(['50%', '50%']);
    expect((await line('requests')).slice(0, 2)).toEqual([String(live!.champion.requestCount), String(live!.challenger.requestCount)]);
    expect((await line('labeled predictions')).slice(0, 2)).toEqual([String(live!.champion.labeledCount), String(live!.challenger.labeledCount)]);
    expect((await line('roc_auc (higher is better)')).slice(0, 2)).toEqual([live!.champion, live!.challenger].map((a) => (a.metricValue === null ? '—' : a.metricValue.toFixed(3))));
    expect(await page.locator('[data-testid=guard-status]').textContent()).toContain('Guard:');
    await shot('06-rollout');

    await page.fill('[data-testid=rollout-actions] input', 'console e2e: live comparison reviewed');
    await page.click('[data-testid=promote]');
    await page.locator('[data-testid=action-result]').waitFor();
    expect(await page.locator('[data-testid=action-result]').textContent()).toContain(`v${challenger} is now the champion`);
    await page.locator('[data-testid=rollout-status]', { hasText: 'promoted' }).waitFor();
    await shot('06c-rollout-promoted');
    // the registry's state changed, by the operator's own principal
    const who = (await viaConsole('GET', '/api/registry/auth/whoami')).body as { id: string; permissions: string[] };
    expect(who.permissions).toContain('rollouts:write');
    const registered = (await viaConsole('GET', `/api/registry/registered-models/${model}`)).body as { aliases: Record<string, number> };
    expect(registered.aliases['champion']).toBe(challenger);
    const rollouts = (await viaConsole('GET', `/api/registry/models/${model}/rollouts`)).body as Array<{ rolloutId: string; status: string; endedBy: string | null; endReason: string | null }>;
    expect(rollouts.find((r) => r.rolloutId === started.rolloutId)).toMatchObject({ status: 'promoted', endedBy: who.id, endReason: 'console e2e: live comparison reviewed' });
    // audited as the operator (the console forwards the user's own key and holds none)
    const audit = (await viaConsole('GET', `/api/registry/audit-log?actor=${encodeURIComponent(who.id)}&action=rollouts:write`, undefined, keys.admin)).body as { records: Array<{ route: string; outcome: string; status: number }> };
    expect(audit.records.filter((r) => r.route === 'POST /models/:name/rollouts/current/promote').map((r) => [r.outcome, r.status])).toEqual([['success', 200]]);
    champion = challenger;
  });

  it("the promoted version's lineage reaches its rollout (opening the rollout page) and a batch scoring job over the dataset", async () => {
    const job = await json<{ jobId: string; status: string; rowCount: number; outputUri: string; modelVersion: number }>(['batch-score', model, '--dataset', dataset, '--version', String(rollout.challenger)]);
    expect(job).toMatchObject({ status: 'SUCCEEDED', modelVersion: rollout.challenger });
    expect(job.rowCount).toBe(accepted.length);
    await page.goto(`${consoleUrl}/models/${model}/versions/${rollout.challenger}/lineage`);
    await page.locator('[data-testid=lineage-graph]').waitFor();
    const rolloutNode = page.locator(`[data-node-id="ro:${rollout.rolloutId}"]`);
    await rolloutNode.waitFor();
    expect(await rolloutNode.locator('title').textContent()).toContain(`canary rollout (challenger) (promoted · v${rollout.championBefore} 50% / v${rollout.challenger} 50%)`);
    const jobNode = page.locator(`[data-node-id="bs:${job.jobId}"]`);
    await jobNode.waitFor();
    expect(await jobNode.locator('title').textContent()).toContain(`SUCCEEDED · ${job.rowCount} rows`);
    await jobNode.click();
    await page.locator('[data-testid=batch-scoring-detail]').waitFor();
    expect(await page.locator('[data-testid=batch-scoring-status]').textContent()).toBe('SUCCEEDED');
    expect(await page.locator('[data-testid=batch-scoring-rows]').textContent()).toBe(String(job.rowCount));
    expect(await page.locator('[data-testid=batch-scoring-output]').textContent()).toBe(job.outputUri);
    await shot('04c-lineage-downstream');
    await rolloutNode.click();
    await page.waitForURL(`**/models/${model}/rollouts/${rollout.rolloutId}`, { timeout: WAIT_MS });
    await page.locator('[data-testid=rollout-status]', { hasText: 'promoted' }).waitFor();
  });

  it('a grid search: its trials in a sortable table and the metric against l2', async () => {
    const search = await json<{ searchId: string; status: string; bestRunId: string; bestMetric: number; trials: Array<{ runId: string; params: { l2: number }; metrics?: Record<string, number> }> }>([
      'search', '--model', model, '--training-set', 'adult_income', '--dataset', dataset, '--split-time', SPLIT, '--space', 'l2=0.01,1',
    ]);
    expect(search.status).toBe('COMPLETED');
    expect(search.trials).toHaveLength(2);
    await page.goto(`${consoleUrl}/models/${model}/runs`);
    await page.locator('[data-testid=searches-table] tbody a').first().click();
    const table = page.locator('[data-testid=trials-table]');
    await table.waitFor();
    await page.locator('[data-testid=trials-chart] svg').waitFor();
    // best first by default: the first row is the search's best trial with its metric
    const first = table.locator('tbody tr').first();
    expect(await first.locator('td').first().textContent()).toContain('★');
    expect(await first.locator('td').last().textContent()).toBe(search.bestMetric.toFixed(4));
    // sorted by l2 ascending: 0.01 then 1
    await page.click('[data-testid="sort-param:l2"]');
    expect(await table.locator('tbody tr td:nth-child(3)').allTextContents()).toEqual(['0.01', '1']);
    await page.click('[data-testid="sort-param:l2"]');
    expect(await table.locator('tbody tr td:nth-child(3)').allTextContents()).toEqual(['1', '0.01']);
    await shot('06d-search');
  });

  it('on a narrow window (420 px) no page scrolls sideways', async () => {
    const narrow = await browser!.newPage({ viewport: { width: 420, height: 800 } });
    try {
      narrow.setDefaultTimeout(WAIT_MS);
      await narrow.goto(`${consoleUrl}/login`);
      await narrow.fill('#api-key', operatorKey);
      await narrow.click('button[type=submit]');
      await narrow.waitForURL('**/models');
      const pages: Array<[string, string]> = [
        ['models', '[data-testid=models-table]'],
        [`models/${model}`, '[data-testid=versions-table]'],
        [`models/${model}/versions/2/lineage`, '[data-testid=lineage-graph]'],
        [`models/${model}/monitoring`, '[data-testid=drift-chart] svg'],
        [`models/${model}/rollouts`, '[data-testid=rollouts-table]'],
        [`models/${model}/runs`, '[data-testid=runs-table]'],
      ];
      const overflow: string[] = [];
      for (const [p, ready] of pages) {
        await narrow.goto(`${consoleUrl}/${p}`);
        await narrow.locator(ready).waitFor({ timeout: 90_000 });
        // evaluated in the page (a string: this file is compiled without the DOM types)
        const [scroll, inner] = await narrow.evaluate<number[]>('[document.documentElement.scrollWidth, window.innerWidth]');
        if (scroll! > inner!) overflow.push(`${p}: ${scroll} > ${inner}`);
      }
      await narrow.goto(`${consoleUrl}/models/${model}`);
      await narrow.locator('[data-testid=versions-table]').waitFor();
      await narrow.screenshot({ path: path.join(shots, '08-narrow-model.png'), fullPage: true, timeout: WAIT_MS });
      expect(overflow).toEqual([]);
    } finally {
      await narrow.close();
    }
  });

  it('platform health shows the six services up, and names serving once it is down', async () => {
    await page.goto(`${consoleUrl}/platform`);
    await page.locator('[data-testid=health-table]').waitFor();
    for (const s of SERVICES) expect(await page.locator(`[data-testid=health-${s}]`).getAttribute('data-state')).toBe('up');
    // every consumer group of every service, joined, from the services' readiness answers
    await page.locator('[data-testid=consumer-groups-table]').waitFor();
    expect(await page.locator('[data-testid=consumer-groups-summary]').textContent()).toMatch(/^(\d+) of \1 consumer groups joined$/);
    for (const s of ['ingestion', 'features', 'training', 'monitoring']) {
      expect(await page.locator(`[data-testid="group-${s}-${tag}-${s}"]`).getAttribute('data-state')).toBe('joined');
    }
    // serving's consumers are broadcast groups of the process: <group>.<instance id>
    expect(await page.locator(`[data-testid^="group-serving-${tag}-serving."]`).first().getAttribute('data-state')).toBe('joined');
    expect(await page.locator(`[data-testid="group-monitoring-${tag}-monitoring"] [data-testid=group-lag]`).textContent()).toMatch(/^\d+$/);
    await shot('06-platform');
    await running.find((s) => s.name === 'serving')!.stop('SIGTERM');
    await page.reload();
    const serving = page.locator('[data-testid=health-serving]');
    await serving.waitFor();
    expect(await serving.getAttribute('data-state')).toBe('unreachable');
    expect(await serving.locator('td').nth(2).textContent()).toContain(`serving is unreachable at http://127.0.0.1:${PORT_BASE + 4}`);
    expect(await page.locator('[data-testid=health-registry]').getAttribute('data-state')).toBe('up');
    const servingGroups = page.locator('[data-testid=groups-serving]');
    expect(await servingGroups.getAttribute('data-state')).toBe('unknown');
    expect(await servingGroups.textContent()).toContain('the service did not answer');
    await shot('07-platform-serving-down');
  });
});
