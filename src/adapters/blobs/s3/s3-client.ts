/**
 * The S3 client the blobs adapter builds when it is not handed one. On AWS it needs only the
 * region (credentials come from the default chain: the task role). With `endpoint` (a local stand-in
 * such as s3rver) it addresses buckets by path and sends checksums only when an operation requires
 * them: s3rver keeps the aws-chunked framing of a checksummed streamed body in the stored bytes.
 */
import { S3Client } from '@aws-sdk/client-s3';

export interface S3ClientOptions {
  readonly region: string;
  readonly endpoint?: string;
  /** Path-style addressing; on by default when `endpoint` is given, off otherwise. */
  readonly forcePathStyle?: boolean;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export function makeS3Client(opts: S3ClientOptions): S3Client {
  const local = opts.endpoint !== undefined;
  const forcePathStyle = opts.forcePathStyle ?? local;
  return new S3Client({
    region: opts.region,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    ...(forcePathStyle ? { forcePathStyle: true } : {}),
    ...(local
      ? {
          endpoint: opts.endpoint,
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
  });
}
