import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { type DynamicModule, Logger as NestLogger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { applyFileSecrets, loadAuthConfig } from '@strata/shared/auth';
import { ConfigValidationError } from '@strata/shared/util-config';
import { Logger } from 'nestjs-pino';
import { AppErrorFilter } from './errors/app-error.filter';
import { registerHttpMetrics } from './metrics/metrics';
import { bodyLimitFromEnv, httpsOptionsFromEnv, openApiPublicFromEnv } from './platform-config';

export interface BootstrapOptions {
  /** Service name (title of the OpenAPI document). */
  name: string;
  description: string;
  version: string;
  port: number;
  /** Interface to bind; 127.0.0.1 by default (containers set 0.0.0.0). */
  host: string;
  /** Largest accepted request body in bytes (larger → 413). Default 10 MiB. */
  bodyLimitBytes?: number;
  /** How long a graceful shutdown may take before the process exits with 1 (ms, default 25 000). */
  shutdownTimeoutMs?: number;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: stop accepting requests, let in-flight requests finish,
 * run every module's shutdown hooks (consumers finish their message and commit, the outbox relay
 * stops, connections close), then exit 0. A second signal or the timeout exits 1 at once.
 * (Nest's `enableShutdownHooks` re-raises the signal after cleanup, so the exit status would
 * say "killed by SIGTERM" even when everything closed cleanly.)
 */
function handleShutdownSignals(app: NestFastifyApplication, timeoutMs: number): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    const logger = app.get(Logger);
    if (closing) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    closing = true;
    logger.log({ signal }, 'shutting down gracefully');
    const timer = setTimeout(() => {
      logger.error({ signal, timeoutMs }, 'graceful shutdown timed out');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/** Input rules every route shares (StorableInputInterceptor), stated in each OpenAPI document. */
const INPUT_RULES =
  'Every route: a NUL character (\\u0000) in any string of the path, query or JSON body (key or value) is refused with 400 naming the field; ' +
  'a route whose requestBody is required refuses a missing or null body with 400; integers stored in 32-bit columns are at most 2147483647.';

/**
 * Creates, configures and starts a Strata NestJS service on Fastify:
 * JSON logs (pino) with request ids, global error filter, HTTP metrics, OpenAPI at `/docs`
 * (JSON at `/docs-json`), HTTPS when `STRATA_HTTP_TLS_CERT_FILE`/`_KEY_FILE` are set, body limit
 * `bodyLimitBytes` ?? `STRATA_HTTP_BODY_LIMIT_BYTES` ?? 10 MiB, graceful shutdown on SIGTERM/SIGINT (in-flight requests finish,
 * consumers commit, connections close), and `listen(port, host)`.
 */
export async function bootstrapService(module: Type<unknown> | DynamicModule, options: BootstrapOptions): Promise<NestFastifyApplication> {
  const https = httpsOptionsFromEnv();
  const adapter = new FastifyAdapter({
    ...(https ? { https } : {}),
    bodyLimit: options.bodyLimitBytes ?? bodyLimitFromEnv(),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new AppErrorFilter());
  registerHttpMetrics(app.getHttpAdapter().getInstance());
  handleShutdownSignals(app, options.shutdownTimeoutMs ?? 25_000);
  // OpenAPI is served by Fastify directly (no Nest guard runs there): under enforced auth it is
  // only published when STRATA_OPENAPI_PUBLIC=true.
  if (loadAuthConfig().mode !== 'enforce' || openApiPublicFromEnv()) {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder().setTitle(`Strata ${options.name}`).setDescription(`${options.description}\n\n${INPUT_RULES}`).setVersion(options.version).build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  }
  await app.listen(options.port, options.host);
  app.get(Logger).log({ port: options.port, host: options.host, tls: Boolean(https) }, `${options.name} listening on ${https ? 'https' : 'http'}://${options.host}:${options.port}`);
  return app;
}

/**
 * Resolves `*_FILE` secrets (DATABASE_URL_FILE, STRATA_API_KEY_FILE, KAFKA_SASL_PASSWORD_FILE, ...),
 * runs `main` and turns a config error into one readable message and exit code 1 (never a
 * stack trace for a bad environment); any other startup error is logged and also exits 1.
 */
export function runMain(service: string, main: () => Promise<unknown>): void {
  // `<NAME>_FILE` (mounted secrets) → `<NAME>` before the app reads its config.
  Promise.resolve()
    .then(() => applyFileSecrets())
    .then(main)
    .catch((error: unknown) => {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      new NestLogger(service).error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.stderr.write(`${service} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exit(1);
  });
}
