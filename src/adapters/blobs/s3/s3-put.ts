/**
 * A streamed, capped, all-or-nothing put. The body passes through a byte counter into lib-storage's
 * Upload: one PutObject when it fits in one part, else a multipart upload of `partSize` parts with
 * at most `queueSize` of them in memory, so the body is never held whole. More than `maxBytes`
 * stops the stream with PAYLOAD_TOO_LARGE; a failing source rejects with its own error. Either way
 * lib-storage sends AbortMultipartUpload (leavePartsOnError is off), and no object appears, since
 * S3 shows an object only once an upload completes. Should the abort itself fail, the bucket's
 * lifecycle rule removes the parts of incomplete uploads (infra/terraform/modules/storage).
 */
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import type { S3Client, ServerSideEncryption } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { AppError } from '../../../domain/errors.ts';
import { unavailable } from './s3-errors.ts';

export interface StreamedPut {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly body: Readable;
  readonly contentType: string;
  readonly maxBytes?: number;
  readonly encryption: { ServerSideEncryption: ServerSideEncryption; SSEKMSKeyId?: string };
  readonly partSize: number;
  readonly queueSize: number;
}

/** Uploads `body` under `key`; resolves to the byte count once the object exists. */
export async function streamedPut(p: StreamedPut): Promise<number> {
  const maxBytes = p.maxBytes ?? Number.POSITIVE_INFINITY;
  let size = 0;
  let failure: unknown = null;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) {
        failure ??= new AppError('PAYLOAD_TOO_LARGE', `The upload is larger than ${maxBytes} bytes.`);
        done(failure as Error);
        return;
      }
      done(null, chunk);
    },
  });
  p.body.once('error', (err) => {
    failure ??= err;
    counted.destroy(err);
  });
  counted.once('error', () => p.body.destroy());
  p.body.pipe(counted);

  const upload = new Upload({
    client: p.client,
    // No ACL, ever: the bucket blocks public access and objects are reached through the app or a
    // short-lived presigned URL.
    params: { Bucket: p.bucket, Key: p.key, Body: counted, ContentType: p.contentType, ...p.encryption },
    partSize: p.partSize,
    queueSize: p.queueSize,
    leavePartsOnError: false,
  });
  try {
    await upload.done();
  } catch (err) {
    // Stops any part still queued; the multipart upload itself was aborted by lib-storage.
    await upload.abort().catch(() => undefined);
    // The source's own failure or the cap wins over what the abort said (s3rver refuses aborts).
    throw failure ?? unavailable(err);
  }
  if (failure) throw failure;
  return size;
}
