import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestFieldsOfRefs } from './request-fields';

describe(requestFieldsOfRefs.name, () => {
  let answer: { status: number; body: unknown } = { status: 200, body: [] };
  const server = http.createServer((_req, res) => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body)));
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const views = [
    { kind: 'feature_view', name: 'person', features: [{ name: 'age' }] },
    { kind: 'on_demand_feature_view', name: 'applicant', requestSchema: [{ name: 'education', dtype: 'STRING' }, { name: 'capital_gain', dtype: 'FLOAT64' }] },
    { kind: 'on_demand_feature_view', name: 'other', requestSchema: [{ name: 'capital_gain', dtype: 'FLOAT64' }, { name: 'sex', dtype: 'STRING' }] },
  ];

  it('is the union of the referenced views\' request schemas, in ref order, each field once', async () => {
    answer = { status: 200, body: views };
    expect(await requestFieldsOfRefs(url, ['person:age', 'applicant:x', 'other:y'])).toEqual([
      { name: 'education', dtype: 'STRING' },
      { name: 'capital_gain', dtype: 'FLOAT64' },
      { name: 'sex', dtype: 'STRING' },
    ]);
    expect(await requestFieldsOfRefs(url, ['person:age'])).toEqual([]);
    expect(await requestFieldsOfRefs(url, [])).toEqual([]);
  });

  it('records nothing (undefined) when the listing is missing, partial, not a list, refused or unreachable', async () => {
    answer = { status: 200, body: views };
    expect(await requestFieldsOfRefs(url, ['person:age', 'gone:z'])).toBeUndefined();
    answer = { status: 404, body: { error: 'not found' } };
    expect(await requestFieldsOfRefs(url, ['person:age'])).toBeUndefined();
    answer = { status: 200, body: { id: 'ts-1', status: 'SUCCEEDED' } };
    expect(await requestFieldsOfRefs(url, ['person:age'])).toBeUndefined();
    answer = { status: 403, body: { error: 'forbidden' } };
    expect(await requestFieldsOfRefs(url, ['person:age'])).toBeUndefined();
    expect(await requestFieldsOfRefs('http://127.0.0.1:1', ['person:age'])).toBeUndefined();
  });
});
