/**
 * Monitoring takes a version's reference profile (URI + sha256) and baseline metrics from the
 * registry's events (issue 16, "events that carry facts"), on real PostgreSQL + Kafka: events
 * are published through this module's outbox and relay to the real topics and consumed by
 * monitoring's broadcast facts consumer (wired as MonitoringModule does, without the work
 * consumers). The registry stand-in only records what monitoring asks (another service, not
 * infrastructure) about this test's model: nothing for an event with facts; one call for a version
 * announced without them (an event published before the facts existed).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import { ModelVersionRegisteredV1 } from '@strata/contracts';
import { EventPublisher } from '@strata/messaging';
import { ReferenceProfileEntity } from '@strata/monitoring/data-access';
import { buildReferenceProfile } from '@strata/shared/util-drift';
import { LocalObjectStore, OBJECT_STORE } from '@strata/shared/data-access-object-store';
import { eventually, uniqueName, dropSchemas, waitForTable } from '@strata/shared/testing';
import { DataSource } from 'typeorm';
import { ModelFactsConsumer } from './model-facts.consumer';
import { MONITORING_OPTIONS } from './monitoring.constants';
import { ReferenceProfileService } from './reference-profile.service';
import { MonitoringRegistryClient } from './registry.client';
import { monitoringPlatformImports } from '../testing/monitoring-platform';

jest.setTimeout(120_000);

describe('monitoring reads reference profiles from the registry events (real PostgreSQL + Kafka)', () => {
  const model = uniqueName('facts-mon').replace(/_/g, '-');
  const schema = uniqueName('monitoring_facts_it');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-monitoring-facts-'));
  const store = new LocalObjectStore(dataDir);
  const registryCalls: string[] = [];
  let registry: http.Server;
  let moduleRef: TestingModule;
  let dataSource: DataSource;
  /** Profiles of versions 1 and 2 (income-style columns), stored as training would. */
  const profiles = new Map<number, { uri: string; sha256: string; features: string[] }>();

  function registered(version: number, facts: boolean): ModelVersionRegisteredV1 {
    const p = profiles.get(version)!;
    return {
      modelName: model, version, runId: `run-${version}`, artifactUri: `file://${dataDir}/models/${version}/model.onnx`, artifactSha256: 'a'.repeat(64),
      artifactFormat: 'onnx', metrics: { roc_auc: 0.7 + version / 100 }, signature: { inputs: [{ name: 'input', type: 'float32' }], outputs: [{ name: 'probability', type: 'float32' }] },
      datasetVersions: [], featureViews: [], tags: {}, registeredBy: 'facts-it', registeredAt: new Date().toISOString(),
      ...(facts ? { referenceProfileUri: p.uri, referenceProfileSha256: p.sha256 } : {}),
    };
  }

  /** Waits until monitoring's facts consumer (a broadcast group `<schema>.<instance>`) has handled event `id` (its inbox row). */
  async function consumed(id: string): Promise<void> {
    await eventually(async () => {
      const rows: unknown[] = await dataSource.query(`SELECT 1 FROM "${schema}".inbox_event WHERE event_id = $1 AND consumer_group LIKE $2`, [id, `${schema}.%`]);
      expect(rows).toHaveLength(1);
    }, 60_000, 200);
  }

  beforeAll(async () => {
    for (const version of [1, 2]) {
      const n = 200;
      const columns = {
        age: Array.from({ length: n }, (_, i) => 18 + ((i * 13 + version) % 50)),
        hours_per_week: Array.from({ length: n }, (_, i) => 10 + ((i * 7 * version) % 50)),
      };
      const profile = buildReferenceProfile(columns, { bins: 10 });
      const put = await store.put(`profiles/${model}/${version}/reference-profile.json`, Buffer.from(JSON.stringify(profile)));
      profiles.set(version, { uri: put.uri, sha256: put.sha256, features: profile.features.map((f) => f.name) });
    }
    // the registry as monitoring would reach it: answers version 2 (and records every request)
    registry = http.createServer((req, res) => {
      if ((req.url ?? '').includes(model)) registryCalls.push(req.url ?? ''); // other tests' models may reach the shared topics
      const p = profiles.get(2)!;
      res.setHeader('content-type', 'application/json');
      if (req.url === `/registered-models/${model}/versions/2`) {
        res.end(JSON.stringify({ name: model, version: 2, metrics: { roc_auc: 0.72 }, referenceProfileUri: p.uri, referenceProfileSha256: p.sha256 }));
        return;
      }
      res.statusCode = 404;
      res.end('{"message":"not found"}');
    });
    await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
    moduleRef = await Test.createTestingModule({
      imports: [
        ...monitoringPlatformImports(schema),
      ],
      // the pieces under test, as MonitoringModule wires them (without its work consumers)
      providers: [
        { provide: MONITORING_OPTIONS, useValue: { registryUrl: `http://127.0.0.1:${(registry.address() as AddressInfo).port}`, httpTimeoutMs: 2000 } },
        { provide: OBJECT_STORE, useValue: store },
        MonitoringRegistryClient,
        ReferenceProfileService,
        ModelFactsConsumer,
      ],
    }).compile();
    await moduleRef.init();
    dataSource = moduleRef.get(DataSource);
    await waitForTable(dataSource, schema, 'reference_profile');
  });

  afterAll(async () => {
    await moduleRef?.close();
    await new Promise<void>((r) => (registry ? registry.close(() => r()) : r()));
    await dropSchemas(schema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes the reference profile and the baseline of a version from model-version-registered, without asking the registry', async () => {
    const publisher = moduleRef.get(EventPublisher);
    const published = await dataSource.transaction((m) => publisher.publish(m, ModelVersionRegisteredV1, registered(1, true)));
    await consumed(published.id);
    const service = moduleRef.get(ReferenceProfileService);
    expect(await service.baselineMetrics(model, 1)).toEqual({ roc_auc: 0.71 });
    const stored = await service.get(model, 1);
    expect(stored?.sha256).toBe(profiles.get(1)!.sha256);
    expect(stored?.profile.features.map((f) => f.name)).toEqual(profiles.get(1)!.features);
    const row = await dataSource.getRepository(ReferenceProfileEntity).findOneByOrFail({ modelName: model, modelVersion: 1 });
    expect([row.sha256, row.sourceUri]).toEqual([profiles.get(1)!.sha256, profiles.get(1)!.uri]);
    expect(registryCalls).toEqual([]);
  });

  it('asks the registry (once) for a version announced without facts', async () => {
    const publisher = moduleRef.get(EventPublisher);
    const published = await dataSource.transaction((m) => publisher.publish(m, ModelVersionRegisteredV1, registered(2, false)));
    await consumed(published.id);
    const service = moduleRef.get(ReferenceProfileService);
    const stored = await service.get(model, 2);
    expect(stored?.sha256).toBe(profiles.get(2)!.sha256);
    expect(await service.baselineMetrics(model, 2)).toEqual({ roc_auc: 0.72 });
    expect(registryCalls).toEqual([`/registered-models/${model}/versions/2`]);
  });
});
