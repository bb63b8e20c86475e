/**
 * The blobs port on an S3 bucket (AWS mode). It keeps the port's promises (ports/blobs.ts):
 * - Keys are checked against BLOB_KEY before any request.
 * - `put` streams: the body passes through a byte counter into lib-storage's Upload (one PutObject
 *   for small bodies, a multipart upload of `partSizeBytes` parts otherwise; at most `queueSize`
 *   parts in memory), so nothing is held whole. More than `maxBytes` stops the stream with
 *   PAYLOAD_TOO_LARGE; a failing source rejects with its own error. Either way the multipart upload
 *   is aborted and no object is written, since S3 only shows an object once an upload completes
 *   (and a bucket lifecycle rule removes parts of uploads that were never aborted).
 * - Every object is written with server-side encryption (SSE-KMS with `kmsKeyId`, else SSE-S3) and
 *   no ACL: the bucket blocks public access and objects are reached only through the app or a
 *   short-lived presigned URL.
 * - Listing pages with StartAfter and an opaque cursor of the last key, in S3's key order.
 * - Failures of the service (unreachable, throttled, access denied) raise UNAVAILABLE; the SDK's
 *   error goes in `cause` (for the log), never in the answer.
 */
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AppError, isAppError } from '../../../domain/errors.ts';
import { BLOB_KEY, type BlobInfo, type Blobs } from '../../../ports/blobs.ts';

export interface S3BlobsOptions {
  readonly bucket: string;
  readonly region: string;
  /** Only for a local stand-in (s3rver): path-style addressing and checksums only when required. */
  readonly endpoint?: string;
  readonly kmsKeyId?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  readonly client?: S3Client;
  /** Multipart part size; S3's minimum (5 MiB) by default. */
  readonly partSizeBytes?: number;
  /** Parts uploaded at once (each held in memory while it goes). */
  readonly queueSize?: number;
}

const MAX_PAGE = 1000;
/** Presigned URLs never live longer than this, whatever a caller asks. */
export const MAX_SIGNED_URL_SECONDS = 300;

const checkKey = (key: string): void => {
  if (!BLOB_KEY.test(key)) throw new AppError('BAD_REQUEST', 'That blob key is not valid.');
};

const errorName = (err: unknown): string =>
  typeof err === 'object' && err !== null && 'name' in err ? String((err as { name: unknown }).name) : '';
const statusOf = (err: unknown): number | undefined =>
  (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
const isMissing = (err: unknown): boolean =>
  ['NoSuchKey', 'NotFound'].includes(errorName(err)) || statusOf(err) === 404;

const unavailable = (err: unknown): AppError =>
  isAppError(err) ? err : new AppError('UNAVAILABLE', 'Blob storage is unavailable.', { cause: err });

export function createS3Blobs(opts: S3BlobsOptions): Blobs & { close(): void } {
  const { bucket } = opts;
  const local = opts.endpoint !== undefined;
  const client =
    opts.client ??
    new S3Client({
      region: opts.region,
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      ...(local
        ? {
            endpoint: opts.endpoint,
            forcePathStyle: true,
            // s3rver keeps aws-chunked framing in the stored bytes when a streamed body is checksummed.
            requestChecksumCalculation: 'WHEN_REQUIRED' as const,
            responseChecksumValidation: 'WHEN_REQUIRED' as const,
          }
        : {}),
    });
  const encryption = opts.kmsKeyId
    ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: opts.kmsKeyId }
    : { ServerSideEncryption: 'AES256' as const };

  const send = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw unavailable(err);
    }
  };

  return {
    async put(key, body, putOpts) {
      checkKey(key);
      const maxBytes = putOpts.maxBytes ?? Number.POSITIVE_INFINITY;
      let size = 0;
      let failure: unknown = null;
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          if (size > maxBytes) {
            failure = new AppError('PAYLOAD_TOO_LARGE', `The upload is larger than ${maxBytes} bytes.`);
            done(failure as Error);
            return;
          }
          done(null, chunk);
        },
      });
      body.once('error', (err) => {
        failure ??= err;
        counted.destroy(err);
      });
      counted.once('error', () => body.destroy());
      body.pipe(counted);

      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: counted, ContentType: putOpts.contentType, ...encryption },
        partSize: opts.partSizeBytes ?? 5 * 1024 * 1024,
        queueSize: opts.queueSize ?? 2,
        leavePartsOnError: false,
      });
      try {
        await upload.done();
      } catch (err) {
        await upload.abort().catch(() => undefined);
        throw failure ?? unavailable(err);
      }
      if (failure) throw failure;
      return { key, size, contentType: putOpts.contentType };
    },

    async get(key) {
      checkKey(key);
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const info: BlobInfo = {
          key,
          size: out.ContentLength ?? 0,
          contentType: out.ContentType ?? 'application/octet-stream',
        };
        return { info, body: out.Body as Readable };
      } catch (err) {
        if (isMissing(err)) return null;
        throw unavailable(err);
      }
    },

    async head(key) {
      checkKey(key);
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return {
          key,
          size: out.ContentLength ?? 0,
          contentType: out.ContentType ?? 'application/octet-stream',
        };
      } catch (err) {
        if (isMissing(err)) return null;
        throw unavailable(err);
      }
    },

    async delete(key) {
      checkKey(key);
      await send(() => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
    },

    async list(prefix, listOpts = {}) {
      const limit = Math.max(1, Math.min(listOpts.limit ?? MAX_PAGE, MAX_PAGE));
      let after: string | undefined;
      if (listOpts.cursor !== undefined) {
        after = Buffer.from(listOpts.cursor, 'base64url').toString('utf8');
        if (!BLOB_KEY.test(after)) throw new AppError('BAD_REQUEST', 'That page cursor is not valid.');
      }
      const out = await send(() =>
        client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            MaxKeys: limit,
            ...(after ? { StartAfter: after } : {}),
          }),
        ),
      );
      const keys = (out.Contents ?? []).map((o) => o.Key ?? '').filter((k) => k !== '');
      const last = keys[keys.length - 1];
      return { keys, nextCursor: out.IsTruncated && last ? Buffer.from(last).toString('base64url') : null };
    },

    async signedUrl(key, urlOpts) {
      checkKey(key);
      const expiresIn = Math.max(1, Math.min(Math.floor(urlOpts.expiresInSeconds), MAX_SIGNED_URL_SECONDS));
      return send(() =>
        getSignedUrl(
          client,
          new GetObjectCommand({
            Bucket: bucket,
            Key: key,
            ResponseContentType: urlOpts.contentType,
            ResponseContentDisposition: urlOpts.contentDisposition,
          }),
          { expiresIn },
        ),
      );
    },

    async ping() {
      await send(() => client.send(new HeadBucketCommand({ Bucket: bucket })));
    },

    close: () => client.destroy(),
  };
}
