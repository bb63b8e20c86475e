/**
 * The blobs port on an S3 bucket (AWS mode). It keeps the port's promises (ports/blobs.ts):
 * - Keys are checked against BLOB_KEY before any request (BAD_REQUEST).
 * - `put` streams with a byte cap and is all-or-nothing (s3-put.ts).
 * - Every object is written with server-side encryption (SSE-KMS with `kmsKeyId`, else SSE-S3) and
 *   no ACL: the bucket blocks public access.
 * - `get` and `head` of a missing key are null; deleting a missing key succeeds (S3 answers 204).
 * - Listing pages in S3's key order (UTF-8 binary) with StartAfter and an opaque cursor that
 *   encodes the last key S3 returned; a cursor that does not decode to a valid key is BAD_REQUEST.
 *   `modifiedBefore` filters each page by LastModified.
 * - `signedUrl` presigns one GetObject with the response Content-Type and Content-Disposition,
 *   for at most MAX_SIGNED_URL_SECONDS.
 * - Failures of the service (unreachable, 5xx, throttled, access denied) raise UNAVAILABLE with a
 *   log-safe message (s3-errors.ts).
 */
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AppError } from '../../../domain/errors.ts';
import { BLOB_KEY, type Blobs } from '../../../ports/blobs.ts';
import { makeS3Client, presignedOrigin, type S3ClientOptions } from './s3-client.ts';
import { guarded, isMissing, unavailable } from './s3-errors.ts';
import { streamedPut } from './s3-put.ts';

export interface S3BlobsOptions extends S3ClientOptions {
  readonly bucket: string;
  /** SSE-KMS with this key (id, ARN or alias) on every put; SSE-S3 (AES256) without it. */
  readonly kmsKeyId?: string;
  /** A ready client (tests); region, endpoint, forcePathStyle and credentials are then unused. */
  readonly client?: S3Client;
  /** Multipart part size; S3's minimum (5 MiB) by default. */
  readonly partSizeBytes?: number;
  /** Parts uploaded at once (each held in memory while it goes); 2 by default. */
  readonly queueSize?: number;
}

const MAX_PAGE = 1000;
const MIN_PART = 5 * 1024 * 1024;
/** Presigned URLs never live longer than this, whatever a caller asks. */
export const MAX_SIGNED_URL_SECONDS = 300;

const checkKey = (key: string): void => {
  if (!BLOB_KEY.test(key)) throw new AppError('BAD_REQUEST', 'That blob key is not valid.');
};

const decodeCursor = (cursor: string): string => {
  const after = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!BLOB_KEY.test(after)) throw new AppError('BAD_REQUEST', 'That page cursor is not valid.');
  return after;
};

/** The S3 blobs adapter; `close()` releases the client's sockets (only when it built the client). */
export function createS3Blobs(opts: S3BlobsOptions): Blobs & { close(): void } {
  const { bucket } = opts;
  const client = opts.client ?? makeS3Client(opts);
  const encryption = opts.kmsKeyId
    ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: opts.kmsKeyId }
    : { ServerSideEncryption: 'AES256' as const };

  /** A read that answers null for a missing key. */
  const orNull = async <T>(run: () => Promise<T>): Promise<T | null> => {
    try {
      return await run();
    } catch (err) {
      if (isMissing(err)) return null;
      throw unavailable(err);
    }
  };

  return {
    async put(key, body, putOpts) {
      checkKey(key);
      const size = await streamedPut({
        client,
        bucket,
        key,
        body,
        contentType: putOpts.contentType,
        ...(putOpts.maxBytes === undefined ? {} : { maxBytes: putOpts.maxBytes }),
        encryption,
        partSize: Math.max(opts.partSizeBytes ?? MIN_PART, MIN_PART),
        queueSize: opts.queueSize ?? 2,
      });
      return { key, size, contentType: putOpts.contentType };
    },

    async get(key) {
      checkKey(key);
      return orNull(async () => {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const info = {
          key,
          size: out.ContentLength ?? 0,
          contentType: out.ContentType ?? 'application/octet-stream',
        };
        return { info, body: out.Body as Readable };
      });
    },

    async head(key) {
      checkKey(key);
      return orNull(async () => {
        const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return {
          key,
          size: out.ContentLength ?? 0,
          contentType: out.ContentType ?? 'application/octet-stream',
        };
      });
    },

    async delete(key) {
      checkKey(key);
      await guarded(() => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
    },

    async list(prefix, listOpts = {}) {
      const limit = Math.max(1, Math.min(listOpts.limit ?? MAX_PAGE, MAX_PAGE));
      const after = listOpts.cursor === undefined ? undefined : decodeCursor(listOpts.cursor);
      const out = await guarded(() =>
        client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            MaxKeys: limit,
            ...(after ? { StartAfter: after } : {}),
          }),
        ),
      );
      const all = (out.Contents ?? []).filter((o) => (o.Key ?? '') !== '');
      const before = listOpts.modifiedBefore;
      // LastModified of a multipart upload is when it began, earlier than when its object appeared.
      const keys = all
        .filter((o) => before === undefined || (o.LastModified?.getTime() ?? 0) < before)
        .map((o) => o.Key ?? '');
      // The cursor is the last key S3 returned, kept or not, so filtered pages still move on.
      const last = all[all.length - 1]?.Key;
      return { keys, nextCursor: out.IsTruncated && last ? Buffer.from(last).toString('base64url') : null };
    },

    signedUrlOrigin: presignedOrigin(opts, bucket),

    async signedUrl(key, urlOpts) {
      checkKey(key);
      if (Number.isNaN(urlOpts.expiresInSeconds))
        throw new AppError('BAD_REQUEST', 'That lifetime is not valid.');
      const expiresIn = Math.max(1, Math.min(Math.floor(urlOpts.expiresInSeconds), MAX_SIGNED_URL_SECONDS));
      const command = new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ResponseContentType: urlOpts.contentType,
        ResponseContentDisposition: urlOpts.contentDisposition,
      });
      return guarded(() => getSignedUrl(client, command, { expiresIn }));
    },

    async ping() {
      await guarded(() => client.send(new HeadBucketCommand({ Bucket: bucket })));
    },

    close: () => {
      if (!opts.client) client.destroy();
    },
  };
}
