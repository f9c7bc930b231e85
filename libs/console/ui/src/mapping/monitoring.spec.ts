import { monitoringView, windowVersions } from './monitoring';
import { window } from './fixtures';

describe('monitoring view mapping', () => {
  const windows = [
    window('2024-04-02', 1, [['age', 0.31, true], ['hours_per_week', 0.2, true], ['capital_gain', 0.01, false]], true, 0.71),
    window('2024-04-01', 1, [['age', 0.02, false], ['hours_per_week', null, false]], false, null),
    window('2024-04-03', 1, [['age', 0.05, false], ['hours_per_week', 0.03, false], ['capital_gain', 0.02, false]], false, 0.86),
    { ...window('2024-04-01', 2, [], false, null), windowStart: null },
  ];

  it('orders windows in time, one series per feature with its threshold, gaps where not tested', () => {
    const view = monitoringView(windows.filter((w) => w.modelVersion === 1));
    const t = (d: string) => Date.parse(`${d}T00:00:00.000Z`);
    expect(view.times).toEqual([t('2024-04-01'), t('2024-04-02'), t('2024-04-03')]);
    expect(view.drift.map((d) => [d.feature, d.method, d.threshold])).toEqual([
      ['age', 'psi', 0.1],
      ['hours_per_week', 'psi', 0.1],
      ['capital_gain', 'psi', 0.1],
    ]);
    expect(view.drift[0]!.points).toEqual([
      [t('2024-04-01'), 0.02, false],
      [t('2024-04-02'), 0.31, true],
      [t('2024-04-03'), 0.05, false],
    ]);
    expect(view.drift[2]!.points[0]).toEqual([t('2024-04-01'), null, false]);
  });

  it('marks the dataset-drift windows as alerts and keeps ROC AUC per window', () => {
    const view = monitoringView(windows.filter((w) => w.modelVersion === 1));
    expect(view.alerts).toEqual([{ start: Date.parse('2024-04-02T00:00:00.000Z'), end: Date.parse('2024-04-02T23:59:59.999Z'), label: '2024-04-02 drift: 2/3 features' }]);
    expect(view.performance.map((p) => [p.rocAuc, p.labeled])).toEqual([
      [null, 0],
      [0.71, 90],
      [0.86, 90],
    ]);
  });

  it('leaves out windows without a start and lists the versions seen', () => {
    expect(monitoringView(windows.filter((w) => w.modelVersion === 2)).times).toEqual([]);
    expect(windowVersions(windows)).toEqual([1, 2]);
  });
});
