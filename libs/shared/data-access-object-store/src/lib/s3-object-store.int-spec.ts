import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describeObjectStoreContract } from './object-store.contract';
import { ObjectIntegrityError } from './object-store.errors';
import { parseS3Uri, S3ObjectStore } from './s3-object-store';
import { createObjectStore } from './object-store-config';
import { s3TestEnv, s3TestStore } from './s3-test-env';

/** The SAME contract as LocalObjectStore/InMemoryObjectStore, on a real S3 endpoint (moto server in tools/stack). */
const bucket = 'strata-os-contract';
describeObjectStoreContract('S3ObjectStore', {
  create: () => s3TestStore(bucket, `run-${randomUUID()}`),
  async corrupt(store, key, data) {
    const s3 = store as S3ObjectStore;
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: s3.prefix + key, Body: data }));
  },
  foreignUri: `s3://${bucket}/other-prefix/x`,
});

describe('S3ObjectStore specifics (real S3 endpoint)', () => {
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  it('streams a 12 MiB body as a multipart upload (2 parts of 5 MiB + rest) with the sha256 of all bytes', async () => {
    const base = await s3TestStore(bucket, `mp-${randomUUID()}`);
    const store = new S3ObjectStore({ bucket, prefix: base.prefix, client: base.client, partSizeBytes: 5 * 1024 * 1024 });
    const chunks = Array.from({ length: 12 }, (_, i) => Buffer.alloc(1024 * 1024, i + 1));
    const all = Buffer.concat(chunks);
    const r = await store.put('big/data.bin', Readable.from(chunks));
    expect(r).toEqual({ key: 'big/data.bin', uri: `s3://${bucket}/${store.prefix}big/data.bin`, sha256: sha(all), sizeBytes: 12 * 1024 * 1024 });
    const back = await store.getBuffer('big/data.bin', { expectedSha256: r.sha256, expectedSizeBytes: r.sizeBytes });
    expect(back.equals(all)).toBe(true);
    expect((await store.stat('big/data.bin'))?.sizeBytes).toBe(12 * 1024 * 1024);
  }, 60_000);

  it('a multipart upload whose sha256 does not match is aborted: no object, no dangling upload', async () => {
    const base = await s3TestStore(bucket, `mpbad-${randomUUID()}`);
    const store = new S3ObjectStore({ bucket, prefix: base.prefix, client: base.client, partSizeBytes: 5 * 1024 * 1024 });
    const chunks = Array.from({ length: 11 }, () => Buffer.alloc(1024 * 1024, 7));
    await expect(store.put('bad.bin', Readable.from(chunks), { expectedSha256: 'f'.repeat(64) })).rejects.toBeInstanceOf(ObjectIntegrityError);
    expect(await store.stat('bad.bin')).toBeUndefined();
    const mpu = await store.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: store.prefix }));
    expect(mpu.Uploads ?? []).toEqual([]);
  }, 60_000);

  it('buffer puts record their sha256 as metadata, reported by stat', async () => {
    const store = await s3TestStore(bucket, `meta-${randomUUID()}`);
    const r = await store.put('m.json', Buffer.from('{"a":1}'));
    expect(await store.stat('m.json')).toMatchObject({ key: 'm.json', sizeBytes: 7, sha256: r.sha256 });
  });

  it('createObjectStore builds an S3 store from env-shaped config; parseS3Uri splits URIs', async () => {
    const e = s3TestEnv();
    const store = await createObjectStore(
      { STRATA_OBJECT_STORE: 's3', STRATA_S3_BUCKET: 'strata-os-config', STRATA_S3_PREFIX: 'lake', STRATA_S3_CREATE_BUCKET: true, S3_ENDPOINT: e.endpoint, AWS_REGION: e.region, AWS_ACCESS_KEY_ID: e.accessKeyId, AWS_SECRET_ACCESS_KEY: e.secretAccessKey },
      '/unused',
    );
    const r = await store.put('k.txt', Buffer.from('v'));
    expect(r.uri).toBe('s3://strata-os-config/lake/k.txt');
    expect(parseS3Uri(r.uri)).toEqual({ bucket: 'strata-os-config', key: 'lake/k.txt' });
    expect(store.resolve(r.uri)).toBe('k.txt');
    expect((await store.getBuffer('k.txt')).toString()).toBe('v');
  });
});
