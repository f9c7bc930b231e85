import { S3ObjectStore } from './s3-object-store';

/**
 * S3 endpoint of the integration tests, from the environment (`tools/stack/stack.sh up --with s3`
 * writes it to `.stack/env`). @throws Error naming the missing variable: the test fails, it is not skipped.
 * @internal test helper (not exported from the index)
 */
export function s3TestEnv(): { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string } {
  const get = (k: string, dflt?: string): string => {
    const v = process.env[k] ?? dflt;
    if (!v) throw new Error(`${k} is not set: the S3 object-store tests need an S3 endpoint (run 'bash tools/stack/stack.sh up --with s3', which writes S3_ENDPOINT and AWS_* to .stack/env)`);
    return v;
  };
  return { endpoint: get('S3_ENDPOINT'), region: get('AWS_REGION', 'us-east-1'), accessKeyId: get('AWS_ACCESS_KEY_ID'), secretAccessKey: get('AWS_SECRET_ACCESS_KEY') };
}

/** A store on a fresh prefix of `bucket` (bucket created if missing). @internal */
export async function s3TestStore(bucket: string, prefix: string): Promise<S3ObjectStore> {
  const e = s3TestEnv();
  const store = new S3ObjectStore({ endpoint: e.endpoint, region: e.region, credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey }, bucket, prefix });
  await store.ensureBucket();
  return store;
}
