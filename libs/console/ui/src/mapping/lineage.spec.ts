import { fitScale, layoutLineage, lineageGraph, stepZoom } from './lineage';
import { version } from './fixtures';

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
