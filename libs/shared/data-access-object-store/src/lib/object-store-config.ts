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
}

/** S3 connection options from the config (also used for `s3://` sources when the lake is local). */
export function s3ConnectionFromConfig(c: ObjectStoreConfig): S3ConnectionOptions {
  return {
    ...(c.S3_ENDPOINT ? { endpoint: c.S3_ENDPOINT } : {}),
    region: c.AWS_REGION,
    ...(c.AWS_ACCESS_KEY_ID && c.AWS_SECRET_ACCESS_KEY ? { credentials: { accessKeyId: c.AWS_ACCESS_KEY_ID, secretAccessKey: c.AWS_SECRET_ACCESS_KEY } } : {}),
    ...(c.S3_FORCE_PATH_STYLE !== undefined ? { forcePathStyle: c.S3_FORCE_PATH_STYLE } : {}),
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
