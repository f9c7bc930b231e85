/**
 * Prints every HTTP route of the six services with the permission it requires (declared by
 * `@RequirePermission` on the handler, or `@Public()`), and exits 1 when a route has none
 * (default-deny would refuse it). Builds no app: walks module metadata only.
 *
 *   node -r @swc-node/register tools/security/list-routes.ts [--markdown] [--service registry] [--suggest]
 *
 * `--suggest` prints a `@RequirePermission(...)` to put on each undeclared handler.
 */
import 'reflect-metadata';
import { collectRouteReport, suggestPermission, type RouteReportRow } from './route-report';

const args = process.argv.slice(2);
const markdown = args.includes('--markdown');
const only = args.includes('--service') ? args[args.indexOf('--service') + 1] : undefined;

const rows: RouteReportRow[] = collectRouteReport().filter((r) => !only || r.service === only);
if (args.includes('--suggest')) {
  for (const r of rows.filter((x) => x.permission === undefined && x.method !== '-')) {
    const [resource, action] = suggestPermission(r.service, r.method, r.path).split(':');
    console.log(`${r.service} ${r.method} ${r.path}: @RequirePermission('${resource}', '${action}') on ${r.handler}`);
  }
} else if (markdown) {
  console.log('| service | method | path | permission | source |\n| --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.service} | ${r.method} | \`${r.path}\` | ${r.permission ?? '**UNDECLARED**'} | ${r.source} |`);
} else {
  for (const r of rows) console.log(`${r.service.padEnd(11)} ${r.method.padEnd(6)} ${r.path.padEnd(60)} ${(r.permission ?? 'UNDECLARED').padEnd(20)} ${r.source}`);
}
const undeclared = rows.filter((r) => r.permission === undefined);
console.error(`${rows.length} routes, ${undeclared.length} undeclared`);
process.exitCode = undeclared.length > 0 ? 1 : 0;
