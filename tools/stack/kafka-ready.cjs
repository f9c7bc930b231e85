#!/usr/bin/env node
/**
 * Kafka readiness probe and topic pre-creation for tools/stack.
 *
 * Usage: node tools/stack/kafka-ready.cjs <brokers> [--create-topics | --wait]
 *
 * Connects an admin client, does a metadata round-trip (describeCluster) and, with
 * --create-topics, creates every topic listed in libs/contracts/generated/topics.json
 * (each with its dead-letter topic) with waitForLeaders, so no client ever meets an
 * auto-created topic without a leader. --wait retries as long as --create-topics does, without
 * creating anything. Exits 0 when the broker answered, 1 otherwise.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const brokers = (process.argv[2] || process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
  const createTopics = process.argv.includes('--create-topics');
  const kafka = new Kafka({
    clientId: 'strata-stack',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: createTopics || process.argv.includes('--wait') ? { retries: 60, initialRetryTime: 250, maxRetryTime: 2000 } : { retries: 1 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    if (!createTopics) return;
    const file = path.resolve(__dirname, '../../libs/contracts/generated/topics.json');
    const specs = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : [];
    const existing = new Set(await admin.listTopics());
    const wanted = specs.filter((t) => !existing.has(t.topic));
    if (wanted.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: wanted.map((t) => ({ topic: t.topic, numPartitions: t.partitions ?? 1, replicationFactor: 1 })),
      });
    }
    process.stdout.write(
      `kafka: broker ${cluster.brokers.map((b) => `${b.host}:${b.port}`).join(',')} answered; ` +
        `${specs.length} Strata topics present (${wanted.length} created now)\n`,
    );
  } finally {
    await admin.disconnect();
  }
}

main().catch((err) => {
  process.stderr.write(`kafka: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
});
