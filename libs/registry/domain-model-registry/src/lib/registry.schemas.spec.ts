import { InvalidArgumentError } from '@strata/shared/util-errors';
import { parseWith } from '@strata/shared/nest-platform';
import { RegisterModelVersionBody, normalizeMetricValue, parseAlias, parseModelName, parsePage, parseVersion, resolveActor, resolveRequestActor } from './registry.schemas';

const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function aBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    runId: 'run-1',
    workflowId: 'train:taxi-tip:r1',
    artifactUri: 'file:///tmp/model.onnx',
    artifactSha256: SHA,
    signature: { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 10] }], outputs: [{ name: 'probability', type: 'float32' }] },
    metrics: { roc_auc: 0.77 },
    params: { l2: 0.0001 },
    lineage: { datasetVersions: [{ datasetName: 'nyc-taxi', versionId: 'v1', contentSha256: SHA }], featureViews: ['zone_trip_stats'], trainingSet: 'big_tipper', codeVersion: 'abc' },
    ...overrides,
  };
}

describe('registry request validation', () => {
  describe(parseModelName.name, () => {
    it.each(['taxi-tip', 'a', '0model', 'm.v2_x-y', 'a'.repeat(128)])('accepts %s', (name) => {
      expect(parseModelName(name)).toBe(name);
    });
    it.each(['Taxi', '-lead', '.x', '_x', 'has space', 'a'.repeat(129), '', 'é'])('rejects %j with a 400 naming it', (name) => {
      expect(() => parseModelName(name)).toThrow(InvalidArgumentError);
      expect(() => parseModelName(name)).toThrow(`Invalid model name '${name}'`);
    });
  });

  describe(parseVersion.name, () => {
    it('treats "2", " 2 ", "02" and 2 as the same version', () => {
      expect([parseVersion('2'), parseVersion(' 2 '), parseVersion('02'), parseVersion(2)]).toEqual([2, 2, 2, 2]);
    });
    it.each(['x', '1.5', '-1', '0', '', '1e3', '2147483648', 1.5, 0])('rejects %j', (v) => {
      expect(() => parseVersion(v)).toThrow(/Invalid version .*must be an integer between 1 and 2147483647/);
    });
  });

  describe(parseAlias.name, () => {
    it('accepts champion and challenger_2', () => {
      expect([parseAlias('champion'), parseAlias('challenger_2')]).toEqual(['champion', 'challenger_2']);
    });
    it.each(['Champion', '1st', 'latest', 'v3', 'a'.repeat(65)])('rejects %s', (a) => {
      expect(() => parseAlias(a)).toThrow(InvalidArgumentError);
    });
  });

  describe(normalizeMetricValue.name, () => {
    it('keeps finite numbers and canonicalises non-finite values to strings', () => {
      expect(normalizeMetricValue(0.5)).toBe(0.5);
      expect(normalizeMetricValue('0.25')).toBe(0.25);
      expect(normalizeMetricValue(NaN)).toBe('NaN');
      expect(normalizeMetricValue(Infinity)).toBe('Infinity');
      expect(normalizeMetricValue(-Infinity)).toBe('-Infinity');
      expect(normalizeMetricValue(null)).toBe('NaN');
      expect(normalizeMetricValue('nan')).toBe('NaN');
      expect(normalizeMetricValue('INF')).toBe('Infinity');
      expect(normalizeMetricValue('-infinity')).toBe('-Infinity');
    });
    it('returns undefined for what is not a metric', () => {
      expect([normalizeMetricValue('abc'), normalizeMetricValue(''), normalizeMetricValue(true), normalizeMetricValue({})]).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
    });
  });

  describe('RegisterModelVersionBody', () => {
    it('normalises signature tensors, feature views and metrics', () => {
      const parsed = parseWith(RegisterModelVersionBody, aBody({ metrics: { roc_auc: 0.77, log_loss: 'NaN', auc_pr: null } }));
      expect(parsed.signature.inputs).toEqual([{ name: 'input', type: 'float32', datatype: 'FP32', shape: [-1, 10] }]);
      expect(parsed.signature.outputs).toEqual([{ name: 'probability', type: 'float32', datatype: 'FP32' }]);
      expect(parsed.lineage.featureViews).toEqual([{ name: 'zone_trip_stats' }]);
      expect(parsed.lineage.trainingSet).toBe('big_tipper');
      expect(parsed.metrics).toEqual({ roc_auc: 0.77, log_loss: 'NaN', auc_pr: 'NaN' });
      expect(parsed.artifactFormat).toBe('onnx');
      expect(parsed.tags).toEqual({});
    });

    it('names every invalid field', () => {
      expect(() =>
        parseWith(RegisterModelVersionBody, aBody({ artifactSha256: 'ABC', artifactUri: 'model.onnx', metrics: { a: 'high' }, lineage: undefined })),
      ).toThrow(/artifactUri: must be an absolute URI.*artifactSha256: must be a sha256.*metrics\.a: must be a number.*lineage: /);
    });

    it('requires the reference profile uri and sha256 together', () => {
      expect(() => parseWith(RegisterModelVersionBody, aBody({ referenceProfileUri: 'file:///tmp/profile.json' }))).toThrow(
        /referenceProfileSha256: referenceProfileUri and referenceProfileSha256 go together/,
      );
    });

    it('refuses a signature whose tensors have no known type', () => {
      expect(() =>
        parseWith(RegisterModelVersionBody, aBody({ signature: { inputs: [{ name: 'x' }], outputs: [{ name: 'y', datatype: 'FP32' }] } })),
      ).toThrow(/signature\.inputs\.0: a tensor needs a type/);
    });
  });

  describe(parsePage.name, () => {
    it('defaults to the first 100 and reads pageToken as an offset', () => {
      expect(parsePage({})).toEqual({ limit: 100, offset: 0 });
      expect(parsePage({ limit: '5', pageToken: '10' })).toEqual({ limit: 5, offset: 10 });
    });
    it('rejects a bad limit or token', () => {
      expect(() => parsePage({ limit: '0' })).toThrow(/Invalid query: limit/);
      expect(() => parsePage({ pageToken: 'abc' })).toThrow(/pageToken: must be a nextPageToken/);
    });
  });

  describe(resolveActor.name, () => {
    it('takes the first given actor, else anonymous', () => {
      expect(resolveActor(undefined, 'training')).toBe('training');
      expect(resolveActor('alice', 'training')).toBe('alice');
      expect(resolveActor()).toBe('anonymous');
      expect(() => resolveActor('  ')).toThrow(InvalidArgumentError);
    });
  });

  describe(resolveRequestActor.name, () => {
    const anonymous = { id: 'anonymous', roles: [], via: 'anonymous' as const };
    const person = { id: 'key:abc123', roles: ['ml-engineer'], via: 'api-key' as const };
    const training = { id: 'key:trn789', roles: ['service:training'], via: 'api-key' as const };
    it('auth off: body actor, else header, else anonymous (unchanged)', () => {
      expect(resolveRequestActor(undefined, 'alice', 'bob')).toBe('alice');
      expect(resolveRequestActor(anonymous, undefined, 'bob')).toBe('bob');
      expect(resolveRequestActor(anonymous, undefined, undefined)).toBe('anonymous');
    });
    it('enforce: a person cannot name another actor in the body', () => {
      // the guard set X-Strata-Actor to the principal id
      expect(resolveRequestActor(person, 'monitoring:auto-rollback', 'key:abc123')).toBe('key:abc123');
      expect(resolveRequestActor(person, 'alice', undefined)).toBe('key:abc123');
    });
    it('enforce: a service acts on behalf of someone only under its own name', () => {
      expect(resolveRequestActor(training, 'training', 'key:trn789')).toBe('training');
      expect(resolveRequestActor(training, 'training:run-42', 'key:trn789')).toBe('training:run-42');
      expect(resolveRequestActor(training, 'alice', 'key:trn789')).toBe('training:alice');
      expect(resolveRequestActor(training, undefined, 'key:trn789')).toBe('key:trn789');
      expect(() => resolveRequestActor(training, 'x'.repeat(300), 'key:trn789')).toThrow(InvalidArgumentError);
    });
  });
});
