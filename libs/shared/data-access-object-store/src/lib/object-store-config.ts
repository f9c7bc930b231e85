import * as path from 'node:path';
import { z } from 'zod';
import { LocalObjectStore } from './local-object-store';
import type { ObjectStore } from './object-store';
import { S3ObjectStore, type S3ConnectionOptions } from './s3-object-store';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();

/**
 * Environment variables choosing and configuring a service's object store. Apps spread it
 * into their config schema: `platformEnvSchema.extend({ ...objectStoreEnvShape, ... })`.
 *
 * - `STRATA_OBJECT_STORE` = `local` (default: files under `STRATA_DATA_DIR`) or `s3`.
 * - `STRATA_S3_BUCKET` (required for `s3`), `STRATA_S3_PREFIX` (key prefix, default `''`),
 *   `STRATA_S3_CREATE_BUCKET` (create it at boot when missing; for development endpoints).
 * - `S3_ENDPOINT` (omit for AWS), `AWS_REGION` (default `us-east-1`), `AWS_ACCESS_KEY_ID` /
 *   `AWS_SECRET_ACCESS_KEY` (omit to use the SDK's default credential chain),
 *   `S3_FORCE_PATH_STYLE` (default true when `S3_ENDPOINT` is set).
 * - Deadlines: `S3_CONNECT_TIMEOUT_MS` (TCP connect of one attempt, default 3000),
 *   `S3_SOCKET_TIMEOUT_MS` (longest silence on a connection, default 30000), `S3_MAX_ATTEMPTS`
 *   (attempts per request with retries, default 3): a hung S3 fails a call within about
 *   attempts × timeout, with an `ObjectStoreError` naming the key and the cause.
 * The S3 connection variables also serve `s3://` source URIs when the lake is local.
 */
export const objectStoreEnvShape = {
  STRATA_OBJECT_STORE: z.enum(['local', 's3']).default('local'),
  STRATA_S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,62}$/, 'must be a valid S3 bucket name')
    .optional(),
  STRATA_S3_PREFIX: z.string().default(''),
  STRATA_S3_CREATE_BUCKET: bool,
  S3_ENDPOINT: z.string().url().optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool,
  S3_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(3000),
  S3_SOCKET_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  S3_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
};

/** Parsed values of {@link objectStoreEnvShape} (plus the local lake root). */
export interface ObjectStoreConfig {
  readonly STRATA_OBJECT_STORE: 'local' | 's3';
  readonly STRATA_S3_BUCKET?: string | undefined;
  readonly STRATA_S3_PREFIX: string;
  readonly STRATA_S3_CREATE_BUCKET?: boolean | undefined;
  readonly S3_ENDPOINT?: string | undefined;
  readonly AWS_REGION: string;
  readonly AWS_ACCESS_KEY_ID?: string | undefined;
  readonly AWS_SECRET_ACCESS_KEY?: string | undefined;
  readonly S3_FORCE_PATH_STYLE?: boolean | undefined;
  readonly S3_CONNECT_TIMEOUT_MS?: number | undefined;
  readonly S3_SOCKET_TIMEOUT_MS?: number | undefined;
  readonly S3_MAX_ATTEMPTS?: number | undefined;
}

/** S3 connection options from the config (also used for `s3://` sources when the lake is local). */
export function s3ConnectionFromConfig(c: ObjectStoreConfig): S3ConnectionOptions {
  return {
    ...(c.S3_ENDPOINT ? { endpoint: c.S3_ENDPOINT } : {}),
    region: c.AWS_REGION,
    ...(c.AWS_ACCESS_KEY_ID && c.AWS_SECRET_ACCESS_KEY ? { credentials: { accessKeyId: c.AWS_ACCESS_KEY_ID, secretAccessKey: c.AWS_SECRET_ACCESS_KEY } } : {}),
    ...(c.S3_FORCE_PATH_STYLE !== undefined ? { forcePathStyle: c.S3_FORCE_PATH_STYLE } : {}),
    ...(c.S3_CONNECT_TIMEOUT_MS !== undefined ? { connectTimeoutMs: c.S3_CONNECT_TIMEOUT_MS } : {}),
    ...(c.S3_SOCKET_TIMEOUT_MS !== undefined ? { socketTimeoutMs: c.S3_SOCKET_TIMEOUT_MS } : {}),
    ...(c.S3_MAX_ATTEMPTS !== undefined ? { maxAttempts: c.S3_MAX_ATTEMPTS } : {}),
  };
}

/**
 * Builds the configured object store: `LocalObjectStore(dataDir)` for `local`, else an
 * {@link S3ObjectStore} on `STRATA_S3_BUCKET` (bucket created when `STRATA_S3_CREATE_BUCKET`).
 * @throws Error naming `STRATA_S3_BUCKET` when `s3` is chosen without a bucket.
 */
export async function createObjectStore(c: ObjectStoreConfig, dataDir: string): Promise<ObjectStore> {
  if (c.STRATA_OBJECT_STORE === 'local') return new LocalObjectStore(path.resolve(dataDir));
  if (!c.STRATA_S3_BUCKET) throw new Error('STRATA_OBJECT_STORE=s3 needs STRATA_S3_BUCKET (the lake bucket)');
  const store = new S3ObjectStore({ ...s3ConnectionFromConfig(c), bucket: c.STRATA_S3_BUCKET, prefix: c.STRATA_S3_PREFIX });
  if (c.STRATA_S3_CREATE_BUCKET) await store.ensureBucket();
  return store;
}
