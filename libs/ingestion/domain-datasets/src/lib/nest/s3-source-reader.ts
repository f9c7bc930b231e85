import type { Readable } from 'node:stream';
import { InvalidArgumentError, NotFoundError, UnavailableError } from '@strata/shared/util-errors';
import {
  createS3Client,
  ForeignUriError,
  ObjectNotFoundError,
  ObjectStoreError,
  parseS3Uri,
  S3ObjectStore,
  type S3ConnectionOptions,
} from '@strata/shared/data-access-object-store';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * Opens `s3://bucket/key` source URIs (registering an existing object as a dataset version)
 * with the service's S3 connection settings (`S3_ENDPOINT`, `AWS_*`), whatever the lake's
 * store. The stream is verified against the object's `Content-Length`: a connection cut
 * short fails the ingestion instead of producing a truncated version.
 */
export class S3SourceReader {
  private client: S3Client | undefined;

  /** @param connection S3 endpoint/region/credentials; the client is created on first use. */
  constructor(private readonly connection: S3ConnectionOptions) {}

  /**
   * @returns the verified byte stream and the object key (for format inference).
   * @throws InvalidArgumentError (400) for a malformed URI; NotFoundError (404) when the object
   *   or bucket does not exist; UnavailableError (503) when S3 cannot be reached.
   */
  async open(uri: string): Promise<{ stream: Readable; key: string; bucket: string }> {
    let parsed: { bucket: string; key: string };
    try {
      parsed = parseS3Uri(uri);
    } catch (e) {
      if (e instanceof ForeignUriError) throw new InvalidArgumentError(`Invalid request body: sourceUri: '${uri}' is not an s3://bucket/key URI`, { details: { sourceUri: uri } });
      throw e;
    }
    this.client ??= createS3Client(this.connection);
    const store = new S3ObjectStore({ bucket: parsed.bucket, client: this.client });
    try {
      return { stream: await store.getStream(parsed.key), ...parsed };
    } catch (e) {
      if (e instanceof ObjectNotFoundError) throw new NotFoundError(`Source object '${uri}' not found`, { details: { sourceUri: uri } });
      if (e instanceof ObjectStoreError) throw new UnavailableError(`Cannot read source object '${uri}': ${e.message}`, { details: { sourceUri: uri }, cause: e });
      throw e;
    }
  }
}
