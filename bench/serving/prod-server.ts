/**
 * Bench helper: the serving SERVICE as deployed (apps/serving AppModule through the platform's
 * `bootstrapService`: pino request logs at LOG_LEVEL, API-key auth enforced with the per-principal
 * infer rate limiter, Prometheus HTTP + serving metrics, prediction logging through the outbox and
 * the relay to Kafka), on BENCH_PORT, serving the ONNX file given in argv as version 1.
 * It creates one API key with role `inference` in the shared `auth` schema, prints
 * `READY <key> <keyId>` on stdout, revokes the key on SIGUSR2 (prints `REVOKED`); SIGTERM stops it
 * gracefully (the platform's handler).
 *   node -r @swc-node/register bench/serving/prod-server.ts <model-name> <model.onnx>
 * Env: BENCH_PORT, SERVING_DB_SCHEMA, DATABASE_URL, KAFKA_BROKERS (+ any serving env).
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelRepository } from '@strata/serving/domain-inference';
import { SecurityService, bootstrapService } from '@strata/shared/nest-platform';
// Bench-only: the deployed wiring of the serving app is what is measured.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { AppModule } from '../../apps/serving/src/app.module';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadServingConfig } from '../../apps/serving/src/config';

async function main(): Promise<void> {
  const [name, file] = process.argv.slice(2) as [string, string];
  const port = Number(process.env['BENCH_PORT']);
  const config = loadServingConfig({
    ...process.env,
    SERVING_PORT: String(port),
    STRATA_AUTH_MODE: 'enforce',
    SERVING_WORKER_ENABLED: 'false',
    REGISTRY_URL: process.env['REGISTRY_URL'] ?? 'http://127.0.0.1:9',
    FEATURES_URL: process.env['FEATURES_URL'] ?? 'http://127.0.0.1:9',
    STRATA_DATA_DIR: path.dirname(path.resolve(file)),
  });
  const app = await bootstrapService(AppModule.forConfig(config), { name: 'serving', description: 'bench', version: 'bench', port, host: '127.0.0.1' });
  const bytes = fs.readFileSync(file);
  await app.get(ModelRepository).load({ name, version: 1, artifactUri: `file://${path.resolve(file)}`, artifactSha256: createHash('sha256').update(bytes).digest('hex') });
  const security = app.get(SecurityService);
  const key = await (await security.keys()).create({ name: `bench-serving-${process.pid}`, roles: ['inference'], expiresAt: new Date(Date.now() + 3_600_000), createdBy: 'bench' });
  process.stdout.write(`READY ${key.key} ${key.keyId}\n`);
  process.once('SIGUSR2', () => {
    // (A baseline checkout's SecurityService may predate revokeKey: then the store revokes, the cache keeps it until it expires.)
    const revoke = (security as Partial<SecurityService>).revokeKey?.bind(security) ?? (async (id: string, by: string) => (await security.keys()).revoke(id, by));
    void revoke(key.keyId, 'bench').then(() => process.stdout.write('REVOKED\n'));
  });
}

void main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
