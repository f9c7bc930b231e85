import { StrataHttpError, StrataUnreachableError } from '@strata/shared/data-access-strata-client';
import { cell, errorLine, renderRecord, renderTable } from './output';

describe('output formatting', () => {
  it('cells: integers as is, fractions to 4 decimals, missing as -, objects as JSON', () => {
    expect(cell(3738)).toBe('3738');
    expect(cell(0.876543219)).toBe('0.8765');
    expect(cell(Number.NaN)).toBe('NaN');
    expect(cell(null)).toBe('-');
    expect(cell(undefined)).toBe('-');
    expect(cell(true)).toBe('yes');
    expect(cell({ a: 1 })).toBe('{"a":1}');
  });

  it('tables: a header row and one row per item, columns aligned, no borders', () => {
    const text = renderTable(
      [
        { v: 1, auc: 0.91234, aliases: ['champion'] },
        { v: 2, auc: null, aliases: [] },
      ],
      [
        { header: 'version', get: (r) => r.v },
        { header: 'roc_auc', get: (r) => r.auc },
        { header: 'aliases', get: (r) => r.aliases.join(',') },
      ],
    );
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^ ?version\s+roc_auc\s+aliases$/);
    expect(lines[1]).toMatch(/1\s+0\.9123\s+champion$/);
    expect(lines[2]).toMatch(/2\s+-\s+-$/);
    expect(lines[1]!.indexOf('0.9123')).toBe(lines[0]!.indexOf('roc_auc'));
  });

  it('records: aligned key/value lines', () => {
    expect(renderRecord({ model: 'adult-income', version: 2 })).toBe('model    adult-income\nversion  2');
  });

  it('errors: one line naming the service message, the status and the call', () => {
    const http = new StrataHttpError('POST', 'http://127.0.0.1:3005/models/m/predict', 400, { error: 'request.sex: missing field;\nmodel m v1 takes request fields sex (STRING)', code: 'INVALID_ARGUMENT' });
    expect(errorLine(http)).toBe('request.sex: missing field; model m v1 takes request fields sex (STRING) (HTTP 400 from POST /models/m/predict)');
    expect(errorLine(new StrataHttpError('GET', 'http://h/x', 502, 'Bad gateway'))).toBe('Bad gateway (HTTP 502 from GET /x)');
    const down = new StrataUnreachableError('GET', 'http://127.0.0.1:3004/registered-models', new Error('connect ECONNREFUSED 127.0.0.1:3004'));
    expect(errorLine(down)).toBe('GET http://127.0.0.1:3004/registered-models failed: connect ECONNREFUSED 127.0.0.1:3004');
    expect(errorLine(new Error('a\n  b'))).toBe('a b');
  });

  it('errors listing several problems in details.issues (a feature repo with many bad references): the first line with the call, then one problem per line', () => {
    const issues = ["repo.yaml: features[0]: 'a:x': unknown feature view 'a'", "repo.yaml: features[1]: 'b:y': unknown feature view 'b'"];
    const http = new StrataHttpError('POST', 'http://h/feature-repo/plan', 400, { error: `feature repo: 2 problems:\n${issues.join('\n')}`, code: 'INVALID_ARGUMENT', details: { issues } });
    expect(errorLine(http).split('\n')).toEqual(['feature repo: 2 problems: (HTTP 400 from POST /feature-repo/plan)', ...issues.map((i) => `  ${i}`)]);
    const one = new StrataHttpError('POST', 'http://h/feature-repo/plan', 400, { error: "repo.yaml: features[0]: 'a:x': unknown feature view 'a'", code: 'INVALID_ARGUMENT', details: { issues: issues.slice(0, 1) } });
    expect(errorLine(one)).toBe("repo.yaml: features[0]: 'a:x': unknown feature view 'a' (HTTP 400 from POST /feature-repo/plan)");
  });
});
