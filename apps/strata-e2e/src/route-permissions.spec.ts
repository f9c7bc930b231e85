/**
 * @jest-environment ../../libs/shared/testing/src/onnxruntime-environment.cjs
 *
 * Default-deny inventory: every HTTP route of the six services declares its permission on the
 * route itself (`@RequirePermission` on the handler or controller) or is explicitly `@Public()`.
 * A new route without one fails here, before `STRATA_AUTH_MODE=enforce` would refuse it with 403;
 * a route whose declared permission differs from the expected matrix
 * (route-permissions.expected.ts, which the auth-matrix e2e drives) fails too.
 * Walks module metadata only (no database, no Kafka).
 */
import path from 'node:path';
import { REPO_ROOT } from '@strata/shared/testing';
import { ROUTE_PERMISSIONS } from './route-permissions.expected';

interface RouteReportRow {
  service: string;
  method: string;
  path: string;
  handler: string;
  permission?: string;
  source: 'decorator' | 'public' | 'none';
}
// tools/security/route-report.ts (loaded by path: tools are outside the lib graph)
const { collectRouteReport } = require(path.join(REPO_ROOT, 'tools/security/route-report')) as { collectRouteReport(): RouteReportRow[] };

describe('route permissions of every service', () => {
  const rows = collectRouteReport();

  it('loads every app module', () => {
    expect(rows.filter((r) => r.method === '-').map((r) => `${r.service}: ${r.path}`)).toEqual([]);
    expect(new Set(rows.map((r) => r.service))).toEqual(new Set(['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring']));
  });

  it('declares a permission (or public) for every route', () => {
    expect(rows.filter((r) => r.permission === undefined).map((r) => `${r.service} ${r.method} ${r.path} (${r.handler})`)).toEqual([]);
  });

  it('keeps exactly /health/*, /metrics and /v2/health/* public', () => {
    const publicPaths = [...new Set(rows.filter((r) => r.permission === 'public').map((r) => r.path))].sort();
    expect(publicPaths.filter((p) => !/^\/(health\/(live|ready)|metrics|v2\/health\/(live|ready))$/.test(p))).toEqual([]);
  });

  it('puts infer endpoints under inference:execute and nothing else there', () => {
    const infer = rows.filter((r) => r.permission === 'inference:execute').map((r) => `${r.method} ${r.path}`);
    expect(infer.length).toBeGreaterThanOrEqual(3);
    expect(infer.filter((p) => !/\/(infer|predict)$/.test(p))).toEqual([]);
  });

  it('declares on each route exactly the permission of the expected matrix, per service', () => {
    const declared = (service: string) =>
      [...new Set(rows.filter((r) => r.service === service && r.permission !== 'public').map((r) => `${r.method} ${r.path} ${r.permission} (${r.source})`))].sort();
    for (const service of ['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring']) {
      const expected = [...(ROUTE_PERMISSIONS[service] ?? []), ...(ROUTE_PERMISSIONS['*'] ?? [])].map((r) => `${r.method} ${r.path} ${r.resource}:${r.action} (decorator)`).sort();
      expect({ service, routes: declared(service) }).toEqual({ service, routes: expected });
    }
  });

  it('declares the rows the guard unit test once read from the route table', () => {
    const permissionOf = (service: string, method: string, path: string) => rows.find((r) => r.service === service && r.method === method && r.path === path)?.permission;
    expect(permissionOf('registry', 'POST', '/registered-models/:name/versions')).toBe('models:write');
    expect(permissionOf('serving', 'POST', '/v2/models/:model/infer')).toBe('inference:execute');
    expect(permissionOf('registry', 'GET', '/audit-log')).toBe('audit:read');
    expect(permissionOf('registry', 'POST', '/somewhere-new')).toBeUndefined();
    expect(['/health/live', '/health/ready', '/metrics'].map((p) => permissionOf('registry', 'GET', p))).toEqual(['public', 'public', 'public']);
    expect(['/v2/health/live', '/v2/health/ready', '/v2'].map((p) => permissionOf('serving', 'GET', p))).toEqual(['public', 'public', 'serving:read']);
  });
});
