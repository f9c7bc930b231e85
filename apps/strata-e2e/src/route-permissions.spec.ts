/**
 * @jest-environment ../../libs/shared/testing/src/onnxruntime-environment.cjs
 *
 * Default-deny inventory: every HTTP route of the six services resolves to a permission
 * (`@RequirePermission` on the handler, or the platform route table) or is public. A new route
 * without one fails here, before `STRATA_AUTH_MODE=enforce` would refuse it with 403.
 * Walks module metadata only (no database, no Kafka).
 */
import path from 'node:path';
import { REPO_ROOT } from '@strata/shared/testing';

interface RouteReportRow {
  service: string;
  method: string;
  path: string;
  handler: string;
  permission?: string;
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
});
