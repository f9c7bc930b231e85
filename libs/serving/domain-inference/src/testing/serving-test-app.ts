/**
 * The serving app of this lib's int specs, in process (not exported from the lib): the same
 * platform, messaging and ServingModule wiring every spec needs, with test defaults that a spec
 * overrides where its case differs.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { MessagingModule, type MessagingModuleOptions } from '@strata/messaging';
import { SERVING_ENTITIES, SERVING_MIGRATIONS } from '@strata/serving/data-access';
import { AppErrorFilter, PlatformModule, type PlatformModuleOptions } from '@strata/shared/nest-platform';
import { infraEnv, listenTestApp } from '@strata/shared/testing';
import type { ServingOptions } from '../lib/serving.constants';
import { ServingModule } from '../lib/serving.module';

/** What differs between the specs' serving apps. */
export interface ServingTestAppOptions {
  /** PostgreSQL schema of the app (serving entities and migrations); also the consumer group id. */
  schema: string;
  /** Model artifact cache folder. */
  dataDir: string;
  /** Overrides of the ServingModule defaults (see {@link startServingTestApp}). */
  serving?: Partial<ServingOptions>;
  /** Overrides of the messaging defaults (relay and consumers off). */
  messaging?: Partial<MessagingModuleOptions>;
  /** Platform auth settings; default: from the environment (the int tier sets `off`). */
  auth?: PlatformModuleOptions['auth'];
}

/**
 * Compiles and listens (on 127.0.0.1, an ephemeral port, errors through AppErrorFilter) a serving
 * app on the test stack (`infraEnv()`): identity `serving@test`, log level warn; messaging as
 * service `serving` with relay and consumers off and no dead-letter controller; ServingModule
 * with registry and features at the unreachable 127.0.0.1:9, one ORT thread each, a prediction
 * log of capacity 100 in batches of 10, a 2 s HTTP timeout and no model loading on start.
 *
 * @returns the app and its base URL (`http://127.0.0.1:<port>`).
 */
export async function startServingTestApp(o: ServingTestAppOptions): Promise<{ app: NestFastifyApplication; base: string }> {
  const env = infraEnv();
  const moduleRef = await Test.createTestingModule({
    imports: [
      PlatformModule.forService({
        identity: { name: 'serving', version: 'test' },
        logLevel: 'warn',
        ...(o.auth ? { auth: o.auth } : {}),
        database: { url: env.databaseUrl, schema: o.schema, entities: SERVING_ENTITIES, migrations: SERVING_MIGRATIONS },
      }),
      MessagingModule.forRoot({
        serviceName: 'serving',
        brokers: env.kafkaBrokers,
        groupId: o.schema,
        relay: { enabled: false },
        consumer: { enabled: false },
        deadLetterController: false,
        ...o.messaging,
      }),
      ServingModule.forRoot({
        registryUrl: 'http://127.0.0.1:9',
        featuresUrl: 'http://127.0.0.1:9',
        ortThreads: 1,
        ortInterOpThreads: 1,
        dataDir: o.dataDir,
        predictionLogCapacity: 100,
        predictionLogBatchSize: 10,
        httpTimeoutMs: 2000,
        loadOnStart: false,
        ...o.serving,
      }),
    ],
  }).compile();
  return listenTestApp(moduleRef, [new AppErrorFilter()]);
}
