/**
 * Bench helper: one Strata serving instance (ServingModule + platform, real PostgreSQL on a
 * throwaway schema, Kafka relay/consumer off) serving the ONNX files given in argv on
 * BENCH_PORT. SIGUSR2 hot-swaps the champion between the two versions (v1 ↔ v2).
 *   node -r @swc-node/register bench/serving/strata-server.ts <model-name> <v1.onnx> <v2.onnx>
 * Env: BENCH_PORT, BENCH_SCHEMA, SERVING_BATCHING (JSON, optional), DATABASE_URL, KAFKA_BROKERS.
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { MessagingModule } from '@strata/messaging';
import { SERVING_ENTITIES, SERVING_MIGRATIONS } from '@strata/serving/data-access';
import { ModelRepository, ServingModule } from '@strata/serving/domain-inference';
import { AppErrorFilter, PlatformModule } from '@strata/shared/nest-platform';

async function main(): Promise<void> {
  const [name, f1, f2] = process.argv.slice(2) as [string, string, string];
  const dataDir = path.dirname(path.resolve(f1));
  const batching = process.env['SERVING_BATCHING'] ? (JSON.parse(process.env['SERVING_BATCHING']) as Record<string, { maxBatchSize: number; maxDelayMs: number }>) : undefined;
  @Module({
    imports: [
      PlatformModule.forService({
        identity: { name: 'serving', version: 'bench' },
        logLevel: 'warn',
        database: { url: process.env['DATABASE_URL'] as string, schema: process.env['BENCH_SCHEMA'] as string, entities: SERVING_ENTITIES, migrations: SERVING_MIGRATIONS },
      }),
      MessagingModule.forRoot({ serviceName: 'serving', brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','), relay: { enabled: false }, consumer: { enabled: false }, deadLetterController: false }),
      ServingModule.forRoot({
        registryUrl: 'http://127.0.0.1:9', featuresUrl: 'http://127.0.0.1:9', ortThreads: 1, ortInterOpThreads: 1, dataDir,
        predictionLogCapacity: 10_000, predictionLogBatchSize: 200, httpTimeoutMs: 2000, loadOnStart: false,
        ...(batching ? { batching } : {}),
      }),
    ],
  })
  class BenchModule {}
  const app = await NestFactory.create<NestFastifyApplication>(BenchModule, new FastifyAdapter({ bodyLimit: 10 * 1024 * 1024 }), { logger: ['error'] });
  app.useGlobalFilters(new AppErrorFilter());
  await app.listen(Number(process.env['BENCH_PORT']), '127.0.0.1');
  const repo = app.get(ModelRepository);
  const descriptor = (file: string, version: number) => {
    const bytes = fs.readFileSync(file);
    return { name, version, artifactUri: `file://${path.resolve(file)}`, artifactSha256: createHash('sha256').update(bytes).digest('hex') };
  };
  const d = [descriptor(f1, 1), descriptor(f2, 2)];
  await repo.load(d[0]!);
  let current = 0;
  process.on('SIGUSR2', () => {
    current = 1 - current;
    void repo.load(d[current]!);
  });
  process.stdout.write('READY\n');
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
