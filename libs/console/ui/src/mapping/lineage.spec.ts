import { fitScale, layoutLineage, lineageGraph, rolloutSplit, stepZoom } from './lineage';
import { version } from './fixtures';
import { batchJob, materialization, rollout } from './lineage-fixtures';

describe('lineage graph mapping', () => {
  it('links dataset versions → feature view → training set → run → model version', () => {
    const g = lineageGraph(version(2, { aliases: ['challenger'] }));
    expect(g.nodes.map((n) => [n.kind, n.label])).toEqual([
      ['dataset-version', 'adult_people@7f1c2d3e'],
      ['feature-view', 'person_profile'],
      ['training-set', 'adult_income'],
      ['run', 'run run-0002'],
      ['model-version', 'adult-income v2'],
    ]);
    expect(g.edges).toEqual([
      { from: 'ds:adult_people@7f1c2d3e-0000-4000-8000-000000000001', to: 'fv:person_profile' },
      { from: 'fv:person_profile', to: 'ts:adult_income' },
      { from: 'ts:adult_income', to: 'run:run-0002-aaaa-bbbb' },
      { from: 'run:run-0002-aaaa-bbbb', to: 'mv:adult-income@2' },
    ]);
    expect(g.nodes[0]!.detail).toBe('sha256 bbbbbbbbbbbb…');
    expect(g.nodes[0]!.ref).toEqual({ kind: 'dataset-version', datasetName: 'adult_people', versionId: '7f1c2d3e-0000-4000-8000-000000000001' });
    expect(g.nodes[3]!.ref).toEqual({ kind: 'run', runId: 'run-0002-aaaa-bbbb', workflowId: 'training-run-0002' });
    expect(g.nodes[4]!.detail).toBe('challenger');
  });

  it('skips missing stages, keeps two datasets feeding the next one, reads an object training set', () => {
    const g = lineageGraph(
      version(1, {
        lineage: {
          datasetVersions: [
            { datasetName: 'a', versionId: 'v1' },
            { datasetName: 'b', versionId: 'v9' },
            { datasetName: 'a', versionId: 'v1' },
          ],
          trainingSet: { id: 'build-1', trainingSet: 'income_set', uri: 's3://b/ts.parquet', sha256: 'c'.repeat(64) },
        },
      }),
    );
    expect(g.nodes.map((n) => n.id)).toEqual(['ds:a@v1', 'ds:b@v9', 'ts:income_set', 'run:run-0001-aaaa-bbbb', 'mv:adult-income@1']);
    expect(g.edges.filter((e) => e.to === 'ts:income_set').map((e) => e.from)).toEqual(['ds:a@v1', 'ds:b@v9']);
    expect(g.nodes[2]!.ref).toEqual({ kind: 'training-set', name: 'income_set', uri: 's3://b/ts.parquet', sha256: 'c'.repeat(64) });
  });

  it("adds the feature view's materializations over the version's dataset versions, its rollouts and its batch scoring jobs", () => {
    const g = lineageGraph(version(2, { aliases: ['challenger'] }), {
      materializations: [
        materialization('m-old', { startedAt: '2024-03-01T08:00:00.000Z', mode: 'incremental', rowCount: null, status: 'RUNNING' }),
        materialization('m-new'),
        // another dataset version, another view: not this version's lineage
        materialization('m-other-ds', { datasetVersions: [{ datasetName: 'adult_people', versionId: 'ffffffff-0000-4000-8000-000000000009', contentSha256: 'f'.repeat(64) }] }),
        materialization('m-other-view', { featureView: 'household' }),
      ],
      rollouts: [
        rollout('ro-2', { status: 'promoted', mode: 'shadow', championVersion: 2, challengerVersion: 3, challengerWeight: 0, startedAt: '2024-03-05T08:00:00.000Z', endedAt: '2024-03-06T08:00:00.000Z' }),
        rollout('ro-1'),
        rollout('ro-unrelated', { championVersion: 1, challengerVersion: 3 }),
        rollout('ro-other-model', { modelName: 'churn' }),
      ],
      batchJobs: [batchJob('0b7c1f7e-3a52-4c1e-9a34-5f1d1c2e9a10'), batchJob('1c8d2a8f-0000-4000-8000-00000000000b', { modelVersion: 1 }), batchJob('2d9e3b90-0000-4000-8000-00000000000c', { status: 'RUNNING', rowCount: null, progress: { rowsDone: 4096, rowsTotal: 32561 }, outputUri: null, createdAt: '2024-03-04T13:00:00.000Z' })],
    });
    expect(g.nodes.map((n) => [n.id, n.kind, n.label, n.detail])).toEqual([
      ['ds:adult_people@7f1c2d3e-0000-4000-8000-000000000001', 'dataset-version', 'adult_people@7f1c2d3e', 'sha256 bbbbbbbbbbbb…'],
      ['fv:person_profile', 'feature-view', 'person_profile', 'feature view'],
      ['ts:adult_income', 'training-set', 'adult_income', 'training set'],
      ['run:run-0002-aaaa-bbbb', 'run', 'run run-0002', 'logistic-regression'],
      ['mv:adult-income@2', 'model-version', 'adult-income v2', 'challenger'],
      ['mat:m-new', 'materialization', 'person_profile full', 'SUCCEEDED · 32561 rows'],
      ['mat:m-old', 'materialization', 'person_profile incremental', 'RUNNING'],
      ['ro:ro-2', 'rollout', 'shadow rollout (champion)', 'promoted · shadow: v3 mirrored'],
      ['ro:ro-1', 'rollout', 'canary rollout (challenger)', 'active · v1 90% / v2 10%'],
      ['bs:2d9e3b90-0000-4000-8000-00000000000c', 'batch-scoring', 'batch scoring 2d9e3b90', 'RUNNING · 4096 rows'],
      ['bs:0b7c1f7e-3a52-4c1e-9a34-5f1d1c2e9a10', 'batch-scoring', 'batch scoring 0b7c1f7e', 'SUCCEEDED · 32561 rows'],
    ]);
    expect(g.edges.slice(4)).toEqual([
      { from: 'ds:adult_people@7f1c2d3e-0000-4000-8000-000000000001', to: 'mat:m-new' },
      { from: 'fv:person_profile', to: 'mat:m-new' },
      { from: 'ds:adult_people@7f1c2d3e-0000-4000-8000-000000000001', to: 'mat:m-old' },
      { from: 'fv:person_profile', to: 'mat:m-old' },
      { from: 'mv:adult-income@2', to: 'ro:ro-2' },
      { from: 'mv:adult-income@2', to: 'ro:ro-1' },
      { from: 'mv:adult-income@2', to: 'bs:2d9e3b90-0000-4000-8000-00000000000c' },
      { from: 'mv:adult-income@2', to: 'bs:0b7c1f7e-3a52-4c1e-9a34-5f1d1c2e9a10' },
    ]);
    expect(g.nodes.find((n) => n.id === 'ro:ro-1')!.ref).toEqual({ kind: 'rollout', modelName: 'adult-income', rolloutId: 'ro-1', role: 'challenger' });
    const job = g.nodes.find((n) => n.id === 'bs:0b7c1f7e-3a52-4c1e-9a34-5f1d1c2e9a10')!.ref;
    expect(job.kind === 'batch-scoring' && job.job.outputUri).toBe('s3://strata-batch/batch-scoring/0b7c1f7e-3a52-4c1e-9a34-5f1d1c2e9a10/output.parquet');
    // the downstream nodes sit right of the version, the materializations right of the view
    const placed = layoutLineage(g);
    const x = (id: string) => placed.nodes.find((n) => n.id === id)!.x;
    expect(x('ro:ro-1')).toBeGreaterThan(x('mv:adult-income@2'));
    expect(x('bs:0b7c1f7e-3a52-4c1e-9a34-5f1d1c2e9a10')).toBeGreaterThan(x('mv:adult-income@2'));
    expect(x('mat:m-new')).toBeGreaterThan(x('fv:person_profile'));
  });

  it('keeps the newest five batch scoring jobs of the version', () => {
    const jobs = Array.from({ length: 7 }, (_, i) => batchJob(`0000000${i}-0000-4000-8000-000000000000`, { createdAt: `2024-03-0${i + 1}T12:00:00.000Z` }));
    const g = lineageGraph(version(2), { batchJobs: jobs });
    expect(g.nodes.filter((n) => n.kind === 'batch-scoring').map((n) => n.label)).toEqual(['batch scoring 00000006', 'batch scoring 00000005', 'batch scoring 00000004', 'batch scoring 00000003', 'batch scoring 00000002']);
  });

  it('describes a rollout split as champion / challenger shares', () => {
    expect(rolloutSplit({ mode: 'canary', challengerWeight: 0.25, championVersion: 1, challengerVersion: 2 })).toBe('v1 75% / v2 25%');
    expect(rolloutSplit({ mode: 'canary', challengerWeight: 0.333, championVersion: 4, challengerVersion: 5 })).toBe('v4 66.7% / v5 33.3%');
    expect(rolloutSplit({ mode: 'shadow', challengerWeight: 0, championVersion: 1, challengerVersion: 2 })).toBe('shadow: v2 mirrored');
  });

  it('lays the graph out left to right, one rank per stage', () => {
    const placed = layoutLineage(lineageGraph(version(1)), 190, 52);
    const xs = placed.nodes.map((n) => n.x);
    for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThan(xs[i - 1]!);
    // rank separation 70 px between 190 px wide nodes
    expect(xs[1]! - xs[0]!).toBe(260);
    expect(placed.width).toBeGreaterThanOrEqual(5 * 190 + 4 * 70);
    expect(placed.edges).toHaveLength(4);
    expect(placed.edges.every((e) => e.points.length >= 2)).toBe(true);
  });
});

describe('lineage zoom', () => {
  it('fits the graph into the viewport without enlarging it, and bounds the scale from below', () => {
    expect(fitScale({ width: 1462, height: 200 }, { width: 1240, height: 500 })).toBeCloseTo(1240 / 1462, 6);
    expect(fitScale({ width: 1462, height: 900 }, { width: 1240, height: 450 })).toBe(0.5);
    expect(fitScale({ width: 600, height: 200 }, { width: 1240, height: 500 })).toBe(1);
    expect(fitScale({ width: 1462, height: 200 }, { width: 380, height: 500 })).toBe(0.3);
    expect(fitScale({ width: 0, height: 0 }, { width: 1240, height: 500 })).toBe(1);
  });

  it('steps the zoom through fixed steps from any scale', () => {
    expect(stepZoom(0.85, 1)).toBe(1);
    expect(stepZoom(0.85, -1)).toBe(0.75);
    expect(stepZoom(1, 1)).toBe(1.25);
    expect(stepZoom(1.5, 1)).toBe(1.5);
    expect(stepZoom(0.5, -1)).toBe(0.5);
  });

  it('a five-stage graph is wider than 1280 px at 100%, which is why the page fits it by default', () => {
    const placed = layoutLineage(lineageGraph(version(2)));
    expect(placed.width).toBeGreaterThan(1240);
    expect(fitScale(placed, { width: 1240, height: 480 })).toBeLessThan(1);
  });
});
