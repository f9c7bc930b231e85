#!/usr/bin/env node
/**
 * Starts the real infrastructure in Docker containers with testcontainers, for machines that
 * have a Docker engine but no endpoints configured (DESIGN "Running it"; INFRA-NOTES §5):
 * PostgreSQL 15, Apache Kafka 4.1.1 (KRaft) and the Temporal dev server. Writes the endpoints
 * as an env file, then stays alive holding the containers until SIGTERM/SIGINT (testcontainers'
 * reaper removes them when this process ends).
 *
 * Usage: node tools/test/testcontainers.cjs <env-file>
 * Exit code 3 when no Docker engine answers (the caller then uses tools/stack).
 *
 * Not exercised on machines without a Docker engine (CI here runs tools/stack instead).
 */
'use strict';
const fs = require('node:fs');

async function main() {
  const envFile = process.argv[2];
  if (!envFile) throw new Error('usage: testcontainers.cjs <env-file>');
  const { GenericContainer, Wait, getContainerRuntimeClient } = require('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch (e) {
    process.stderr.write(`testcontainers: no Docker engine answers (${e.message})\n`);
    process.exit(3);
  }
  const postgres = await new GenericContainer('postgres:15')
    .withEnvironment({ POSTGRES_USER: 'strata', POSTGRES_PASSWORD: 'strata', POSTGRES_DB: 'strata' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  // Kafka advertises the host port, so it is fixed (a free one, chosen by the OS first).
  const kafkaPort = await freePort();
  const kafka = await new GenericContainer('apache/kafka:4.1.1')
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://:19092,CONTROLLER://:9093,HOST://:${kafkaPort}`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:19092,HOST://127.0.0.1:${kafkaPort}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,HOST:PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_MIN_INSYNC_REPLICAS: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withExposedPorts({ container: kafkaPort, host: kafkaPort })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const temporal = await new GenericContainer('temporalio/temporal:1.8.2')
    .withCommand(['server', 'start-dev', '--ip', '0.0.0.0', '--port', '7233', '--headless', '--namespace', 'default'])
    .withExposedPorts(7233)
    .withWaitStrategy(Wait.forListeningPorts())
    .start();
  const env = {
    DATABASE_URL: `postgres://strata:strata@${postgres.getHost()}:${postgres.getMappedPort(5432)}/strata`,
    KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
    TEMPORAL_ADDRESS: `${temporal.getHost()}:${temporal.getMappedPort(7233)}`,
    TEMPORAL_NAMESPACE: 'default',
  };
  fs.writeFileSync(envFile, Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  process.stderr.write(`testcontainers: infrastructure up: ${JSON.stringify(env)}\n`);
  const stop = async () => {
    await Promise.allSettled([postgres.stop(), kafka.stop(), temporal.stop()]);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  setInterval(() => undefined, 1 << 30);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = require('node:net').createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

main().catch((e) => {
  process.stderr.write(`testcontainers: ${e.stack || e}\n`);
  process.exit(1);
});
