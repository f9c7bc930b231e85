import { decisionRows, metricColumns, modelRows, versionRows } from './models';
import { decision, model, version } from './fixtures';

describe('models view mapping', () => {
  it('lists models by name with champion, challenger and the other aliases', () => {
    const rows = modelRows([model('zeta', {}, 0), model('adult-income', { champion: 1, challenger: 2, staging: 2, archive: 1 }, 2)]);
    expect(rows.map((r) => r.name)).toEqual(['adult-income', 'zeta']);
    expect(rows[0]).toEqual({ name: 'adult-income', latestVersion: 2, champion: 1, challenger: 2, otherAliases: ['archive→v1', 'staging→v2'], updatedAt: '2024-03-02 11:30' });
    expect(rows[1]).toMatchObject({ champion: null, challenger: null, otherAliases: [] });
  });

  it('puts roc_auc and accuracy first among metric columns and formats values to 3 decimals, newest version first', () => {
    const v1 = version(1, { aliases: ['champion'] });
    const v2 = version(2, { aliases: ['challenger'], metrics: { roc_auc: 0.9, f1: 'NaN', accuracy: 0.8 } });
    const cols = metricColumns([v1, v2]);
    expect(cols).toEqual(['roc_auc', 'accuracy', 'log_loss', 'f1']);
    const rows = versionRows([v1, v2], cols);
    expect(rows.map((r) => r.version)).toEqual([2, 1]);
    expect(rows[0]!.metrics).toEqual({ roc_auc: '0.900', accuracy: '0.800', log_loss: '—', f1: 'NaN' });
    expect(rows[1]!.metrics).toEqual({ roc_auc: '0.881', accuracy: '0.812', log_loss: '0.390', f1: '—' });
    expect(rows[1]).toMatchObject({ aliases: ['champion'], trainer: 'logistic-regression', createdAt: '2024-03-01 10:00' });
  });

  it('shows a live decision with its numbers and labels, newest first', () => {
    const live = decision({
      id: 2,
      outcome: 'rejected',
      applied: false,
      challengerValue: 0.651,
      championValue: 0.675,
      improvement: -0.024,
      evidence: { rolloutId: 'r1', championLabeled: 1000, challengerLabeled: 988, trainingDataCutoff: null, championExcluded: { predictions: 0, labels: 0 }, challengerExcluded: { predictions: 0, labels: 0 } },
      trigger: 'live-rollout',
      actor: 'monitoring:rollout-evaluator',
      decidedAt: '2024-03-03T10:00:00.000Z',
    });
    const rows = decisionRows([decision({ championVersion: null, championValue: null, improvement: null }), live]);
    expect(rows.map((r) => r.id)).toEqual([2, 1]);
    expect(rows[0]).toMatchObject({
      outcome: 'rejected',
      applied: false,
      versions: 'v2 vs v1',
      metric: 'roc_auc (maximize, margin 0)',
      challengerValue: '0.651',
      championValue: '0.675',
      improvement: '-0.024',
      basis: 'live rollout: 988 / 1000 labels (challenger / champion)',
      by: 'monitoring:rollout-evaluator (live-rollout)',
    });
    expect(rows[1]).toMatchObject({ versions: 'v2 vs none', championValue: '—', improvement: '—', basis: 'offline evaluation' });
  });
});
