/**
 * Route → permission report for the six services (used by tools/security/list-routes.ts and the
 * route inventory test). Imports each app's AppModule and walks its metadata; nothing connects.
 */
import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { collectRoutes, routeAccess } from '@strata/shared/auth';

/** One route of one service and what it requires. */
export interface RouteReportRow {
  service: string;
  method: string;
  path: string;
  handler: string;
  /** `resource:action`, `public`, or undefined when undeclared (denied under enforce). */
  permission?: string;
  source: 'decorator' | 'public' | 'none';
}

const ENV: Record<string, string> = {
  DATABASE_URL: 'postgres://strata:strata@127.0.0.1:5432/strata',
  KAFKA_BROKERS: '127.0.0.1:9092',
  TEMPORAL_ADDRESS: '127.0.0.1:7233',
};

/** Loads each app module with a placeholder environment (no connection is made). */
function appModules(): Array<[string, DynamicModule | Error]> {
  const env = { ...ENV, ...process.env };
  const load = (svc: string, loader: string): DynamicModule | Error => {
    try {
      return loadOne(svc, loader);
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  };
  const loadOne = (svc: string, loader: string): DynamicModule => {
    const cfg = require(`../../apps/${svc}/src/config`) as Record<string, (e: Record<string, string | undefined>) => unknown>;
    const mod = require(`../../apps/${svc}/src/app.module`) as { AppModule: { forConfig(c: unknown): DynamicModule } };
    const loadConfig = cfg[loader];
    if (!loadConfig) throw new Error(`apps/${svc}/src/config has no ${loader}`);
    return mod.AppModule.forConfig(loadConfig(env));
  };
  return [
    ['ingestion', load('ingestion', 'loadIngestionConfig')],
    ['features', load('features', 'loadFeaturesConfig')],
    ['training', load('training', 'loadTrainingConfig')],
    ['registry', load('registry', 'loadRegistryConfig')],
    ['serving', load('serving', 'loadServingConfig')],
    ['monitoring', load('monitoring', 'loadMonitoringConfig')],
  ];
}

/** Every route of every service with its resolved permission. */
export function collectRouteReport(): RouteReportRow[] {
  const rows: RouteReportRow[] = [];
  for (const [service, module] of appModules()) {
    if (module instanceof Error) {
      rows.push({ service, method: '-', path: `(app module failed to load: ${module.message.split('\n')[0]})`, handler: '-', source: 'none' });
      continue;
    }
    for (const route of collectRoutes(module)) {
      const access = routeAccess(route.isPublic, route.declared);
      const row = { service, method: route.method, path: route.path, handler: route.handler };
      if (access.kind === 'public') rows.push({ ...row, permission: 'public', source: 'public' });
      else if (access.kind === 'permission') rows.push({ ...row, permission: `${access.permission.resource}:${access.permission.action}`, source: 'decorator' });
      else rows.push({ ...row, source: 'none' });
    }
  }
  return rows;
}

/**
 * A suggested `resource:action` for a route nobody declared yet (heuristic: the service's main
 * resource; GET and POST-that-reads → read; serving infer/predict → inference:execute). Review it.
 */
export function suggestPermission(service: string, method: string, path: string): string {
  const resource =
    service === 'ingestion'
      ? 'datasets'
      : service === 'features'
        ? 'features'
        : service === 'training'
          ? 'training'
          : service === 'monitoring'
            ? 'monitoring'
            : service === 'serving'
              ? /\/(infer|predict)$/.test(path)
                ? 'inference'
                : 'serving'
              : /alias|promotion/.test(path)
                ? 'aliases'
                : /rollout/.test(path)
                  ? 'rollouts'
                  : 'models';
  if (resource === 'inference') return 'inference:execute';
  const reads = method === 'GET' || /\/(search|get|get-by-name|get-history|get-historical-features|get-online-features|plan)$/.test(path);
  return `${resource}:${reads ? 'read' : 'write'}`;
}
