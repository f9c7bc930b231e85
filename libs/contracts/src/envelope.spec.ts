import {
  assertInlinePayloadSize,
  buildEnvelopeHeaders,
  deadLetterTopicOf,
  EnvelopeErrorCode,
  isEnvelopeError,
  isValidTraceparent,
  MAX_INLINE_PAYLOAD_BYTES,
  parseEnvelopeHeaders,
} from './envelope';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function headers() {
  return buildEnvelopeHeaders({
    id: '6f1d0c1e-3f2a-4b7b-9d4e-0a1b2c3d4e5f',
    source: '/strata/registry',
    type: 'dev.strata.registry.model-alias-changed.v1',
    time: '2026-11-29T22:00:00.000Z',
    subject: 'churn',
    traceparent: TP,
    tracestate: 'vendor=1',
  });
}

describe('buildEnvelopeHeaders', () => {
  it('builds the CloudEvents binary-mode headers', () => {
    expect(headers()).toEqual({
      ce_id: '6f1d0c1e-3f2a-4b7b-9d4e-0a1b2c3d4e5f',
      ce_source: '/strata/registry',
      ce_type: 'dev.strata.registry.model-alias-changed.v1',
      ce_specversion: '1.0',
      ce_time: '2026-11-29T22:00:00.000Z',
      ce_subject: 'churn',
      'content-type': 'application/json',
      traceparent: TP,
      tracestate: 'vendor=1',
    });
  });

  it('omits optional headers and defaults the time to now', () => {
    const h = buildEnvelopeHeaders({ id: 'x', source: '/s', type: 't' });
    expect(h).not.toHaveProperty('ce_subject');
    expect(h).not.toHaveProperty('traceparent');
    expect(Date.now() - Date.parse(h.ce_time as string)).toBeLessThan(5000);
  });

  it('rejects an empty id and a malformed traceparent', () => {
    expect(() => buildEnvelopeHeaders({ id: '', source: '/s', type: 't' })).toThrow(/ce_id/);
    expect(() => buildEnvelopeHeaders({ id: 'x', source: '/s', type: 't', traceparent: 'nope' })).toThrow(/traceparent/);
  });
});

describe('parseEnvelopeHeaders', () => {
  it('round-trips string and Buffer headers', () => {
    const raw = Object.fromEntries(Object.entries(headers()).map(([k, v]) => [k, Buffer.from(v)]));
    const env = parseEnvelopeHeaders(raw, 'dev.strata.registry.model-alias-changed.v1');
    expect(env).toEqual({
      id: '6f1d0c1e-3f2a-4b7b-9d4e-0a1b2c3d4e5f',
      source: '/strata/registry',
      type: 'dev.strata.registry.model-alias-changed.v1',
      specversion: '1.0',
      time: '2026-11-29T22:00:00.000Z',
      subject: 'churn',
      datacontenttype: 'application/json',
      traceparent: TP,
      tracestate: 'vendor=1',
    });
  });

  it.each(['ce_id', 'ce_source', 'ce_type', 'ce_specversion', 'ce_time', 'content-type'])(
    'names the missing header %s',
    (name) => {
      const h: Record<string, string> = headers();
      delete h[name];
      expect(() => parseEnvelopeHeaders(h)).toThrow(`CloudEvents header '${name}' is missing`);
      try {
        parseEnvelopeHeaders(h);
      } catch (err) {
        expect(isEnvelopeError(err)).toBe(true);
        expect((err as { code: string }).code).toBe(EnvelopeErrorCode.MISSING_HEADER);
      }
    },
  );

  it('rejects wrong specversion, content type, type and traceparent', () => {
    expect(() => parseEnvelopeHeaders({ ...headers(), ce_specversion: '0.3' })).toThrow(/ce_specversion/);
    expect(() => parseEnvelopeHeaders({ ...headers(), 'content-type': 'text/plain' })).toThrow(/content-type/);
    expect(() => parseEnvelopeHeaders(headers(), 'dev.strata.other.v1')).toThrow(/ce_type/);
    expect(() => parseEnvelopeHeaders({ ...headers(), traceparent: '00-0-0-0' })).toThrow(/traceparent/);
    expect(() => parseEnvelopeHeaders({ ...headers(), ce_time: 'never' })).toThrow(/ce_time/);
  });

  it('accepts content-type parameters', () => {
    expect(parseEnvelopeHeaders({ ...headers(), 'content-type': 'application/json; charset=utf-8' }).id).toBeTruthy();
  });

  it('fails on undefined headers', () => {
    expect(() => parseEnvelopeHeaders(undefined)).toThrow(/ce_id/);
  });
});

describe('traceparent', () => {
  it('validates W3C traceparents', () => {
    expect(isValidTraceparent(TP)).toBe(true);
    expect(isValidTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBe(false);
    expect(isValidTraceparent('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(false);
    expect(isValidTraceparent(TP.toUpperCase())).toBe(false);
  });
});

describe('assertInlinePayloadSize', () => {
  it('accepts up to 64 KiB and names topic and size above', () => {
    expect(MAX_INLINE_PAYLOAD_BYTES).toBe(65536);
    expect(assertInlinePayloadSize('t', 'x'.repeat(65536))).toBe(65536);
    expect(() => assertInlinePayloadSize('strata.a.b.v1', 'x'.repeat(65537))).toThrow(
      "event payload for topic 'strata.a.b.v1' is 65537 bytes, over the 65536-byte inline limit",
    );
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(assertInlinePayloadSize('t', 'é')).toBe(2);
    expect(assertInlinePayloadSize('t', new Uint8Array(10))).toBe(10);
  });

  it('dead-letter topic name', () => {
    expect(deadLetterTopicOf('strata.a.b.v1')).toBe('strata.a.b.v1.dlq');
  });
});
