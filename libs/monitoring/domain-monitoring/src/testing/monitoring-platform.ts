/**
 * The platform part of this lib's in-process monitoring apps for int specs (not exported from
 * the lib).
 */
import type { DynamicModule } from '@nestjs/common';
import { MONITORING_ENTITIES, MONITORING_MIGRATIONS } from '@strata/monitoring/data-access';
import { MessagingModule } from '@strata/messaging';
import { PlatformModule } from '@strata/shared/nest-platform';
import { infraEnv } from '@strata/shared/testing';

/**
 * The platform and messaging modules of a monitoring app on the test stack (`infraEnv()`):
 * identity `monitoring@test`, log level warn, PostgreSQL schema `schema` with the monitoring
 * entities and migrations; messaging as service `monitoring` in consumer group `schema`, relay
 * polling every 100 ms, no dead-letter controller. The spec adds MonitoringModule (or the pieces
 * it tests) after them.
 */
export function monitoringPlatformImports(schema: string): DynamicModule[] {
  const env = infraEnv();
  return [
    PlatformModule.forService({
      identity: { name: 'monitoring', version: 'test' },
      logLevel: 'warn',
      database: { url: env.databaseUrl, schema, entities: MONITORING_ENTITIES, migrations: MONITORING_MIGRATIONS },
    }),
    MessagingModule.forRoot({ serviceName: 'monitoring', brokers: env.kafkaBrokers, groupId: schema, deadLetterController: false, relay: { pollIntervalMs: 100 } }),
  ];
}
