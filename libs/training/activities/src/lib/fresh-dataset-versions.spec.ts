import { freshDatasetVersions } from './fresh-dataset-versions';

describe('freshDatasetVersions: what a retraining trains on', () => {
  // as GET /datasets/{name}/versions answers: oldest first, `created` false (a boolean, not a time)
  const taxi = [
    { versionId: 'v-2019-03', createdAt: '2026-12-07T00:00:01.000Z', created: false },
    { versionId: 'v-2019-04', createdAt: '2026-12-07T00:00:02.000Z', created: false },
    { versionId: 'v-2020-04a', createdAt: '2026-12-07T00:05:00.000Z', created: false },
  ];
  it("takes each dataset's newest version by createdAt, once per dataset (the demo's run used two versions of one dataset)", () => {
    const used = [
      { datasetName: 'taxi', versionId: 'v-2019-03' },
      { datasetName: 'taxi', versionId: 'v-2019-04' },
    ];
    expect(freshDatasetVersions(used, new Map([['taxi', taxi]]))).toEqual([{ datasetName: 'taxi', versionId: 'v-2020-04a' }]);
  });
  it('newest by time, not by list position; several datasets keep their order; an empty list keeps the used version', () => {
    const shuffled = [taxi[2]!, taxi[0]!, taxi[1]!];
    const used = [
      { datasetName: 'taxi', versionId: 'v-2019-03' },
      { datasetName: 'zones', versionId: 'z-1' },
    ];
    expect(freshDatasetVersions(used, new Map([['taxi', shuffled], ['zones', []]]))).toEqual([
      { datasetName: 'taxi', versionId: 'v-2020-04a' },
      { datasetName: 'zones', versionId: 'z-1' },
    ]);
  });
});
