#!/usr/bin/env node
/**
 * Drops the PostgreSQL schemas the MLflow conformance run created (one per test, names given as
 * arguments, each must start with `mlfconf_`). DATABASE_URL from the environment; 30 s deadline.
 */
'use strict';
const { Client } = require('pg');

async function main() {
  const names = process.argv.slice(2).filter((n) => /^mlfconf_[0-9_]+$/.test(n));
  if (!names.length) return;
  const client = new Client({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 10_000, statement_timeout: 30_000 });
  await client.connect();
  try {
    for (const n of names) await client.query(`DROP SCHEMA IF EXISTS "${n}" CASCADE`);
  } finally {
    await client.end();
  }
}
const timer = setTimeout(() => { console.error('drop-schemas: deadline of 30 s passed'); process.exit(1); }, 30_000);
main().then(() => clearTimeout(timer), (err) => { console.error(`drop-schemas: ${err.message}`); process.exit(1); });
