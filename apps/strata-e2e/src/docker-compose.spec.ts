/**
 * No Docker engine runs on CI machines, so docker-compose.yml is validated by parsing it:
 * every infrastructure part and service is there, with its port, healthcheck, Dockerfile and
 * the environment the service's config schema requires.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../../..');
const SERVICES: Record<string, number> = { ingestion: 3001, features: 3002, training: 3003, registry: 3004, serving: 3005, monitoring: 3006 };

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
}

describe('docker-compose.yml', () => {
  const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
    volumes: Record<string, unknown>;
  };

  it.each([
    ['postgres', '5432:5432'],
    ['kafka', '9092:9092'],
    ['temporal', '7233:7233'],
    ['prometheus', '9090:9090'],
    ['grafana', '3000:3000'],
    ['redis', '6379:6379'],
    ['minio', '9000:9000'],
  ])('runs %s on its standard port with a healthcheck', (name, port) => {
    const service = compose.services[name];
    expect(service?.ports).toContain(port);
    expect(service?.healthcheck?.test).toBeDefined();
  });

  it('keeps Redis and the S3 store optional (profiles), as tools/stack does with --with', () => {
    expect(compose.services['redis']?.profiles).toEqual(['redis']);
    expect(compose.services['minio']?.profiles).toEqual(['s3']);
  });

  it('uses the official images for the infrastructure', () => {
    expect(compose.services['postgres']?.image).toMatch(/^postgres:15/);
    expect(compose.services['kafka']?.image).toMatch(/^apache\/kafka:4\./);
    expect(compose.services['temporal']?.image).toMatch(/^temporalio\//);
  });

  it.each(Object.entries(SERVICES))('builds %s from the shared Dockerfile (APP and PORT args), on port %i, healthchecked on /health/ready', (name, port) => {
    const service = compose.services[name];
    expect(service?.build?.dockerfile).toBe('Dockerfile');
    expect(service?.build?.args).toEqual({ APP: name, PORT: String(port) });
    expect(service?.ports).toEqual([`${port}:${port}`]);
    expect(JSON.stringify(service?.healthcheck?.test)).toContain(`:${port}/health/ready`);
    const env = service?.environment ?? {};
    expect(env[`${name.toUpperCase()}_PORT`]).toBe(String(port));
    expect(env['DATABASE_URL']).toMatch(/^postgres:\/\/.+@postgres:5432\/strata$/);
    expect(env['KAFKA_BROKERS']).toBe('kafka:19092');
    expect(env['HOST']).toBe('0.0.0.0');
    expect(Object.keys(service?.depends_on ?? {}).sort()).toEqual(['kafka', 'kafka-init', 'postgres', 'temporal']);

    expect(fs.existsSync(path.join(ROOT, `apps/${name}/src/main.ts`))).toBe(true); // what APP=<name> builds and runs
  });

  it('builds the web console from the shared Dockerfile with its single-page app, on port 3007, with the six service URLs and no database or Kafka', () => {
    const service = compose.services['console'];
    expect(service?.build?.args).toEqual({ APP: 'console', PORT: '3007' });
    expect(service?.ports).toEqual(['3007:3007']);
    expect(JSON.stringify(service?.healthcheck?.test)).toContain(':3007/health/ready');
    const env = service?.environment ?? {};
    expect(Object.fromEntries(Object.keys(SERVICES).map((s) => [s, env[`${s.toUpperCase()}_URL`]]))).toEqual(Object.fromEntries(Object.entries(SERVICES).map(([s, port]) => [s, `http://${s}:${port}`])));
    expect([env['CONSOLE_PORT'], env['DATABASE_URL'], env['KAFKA_BROKERS']]).toEqual(['3007', undefined, undefined]);
    // the UI is built (vite) into dist/console/dist/console-ui = /app/dist/console-ui, the console's CONSOLE_UI_DIR default
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('vite build -c libs/console/ui/vite.config.mjs');
    expect(dockerfile).toContain('mv dist/console-ui dist/console/dist/console-ui');
  });

  it('builds every service with one multi-stage, non-root Dockerfile parametrised by APP and PORT', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/FROM node:\S+ AS build[\s\S]+FROM node:\S+ AS runtime/); // multi-stage
    expect(dockerfile).toMatch(/^USER node$/m); // non-root
    expect(dockerfile).toMatch(/^ARG APP$/m);
    expect(dockerfile).toMatch(/^ARG PORT$/m);
    expect(dockerfile).toContain('EXPOSE ${PORT}');
    expect(dockerfile).toContain('build-app.cjs ${APP}');
    expect(dockerfile).toContain('apps/${STRATA_APP}/src/main.js');
    expect(dockerfile).toContain("'+process.env.STRATA_APP_PORT+'/health/ready");
  });

  it('provisions Grafana with Prometheus and the Strata dashboard', () => {
    const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'deploy/grafana/dashboards/strata-overview.json'), 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    expect(exprs).toContain('strata_monitoring_feature_psi');
    expect(exprs).toContain('http_server_request_duration_seconds');
    const prom = parse(fs.readFileSync(path.join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = prom.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    for (const [name, port] of Object.entries(SERVICES)) expect(targets).toContain(`${name}:${port}`);
  });
});
