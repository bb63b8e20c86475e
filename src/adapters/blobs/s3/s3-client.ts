/**
 * The S3 client the blobs adapter builds when it is not handed one. On AWS it needs only the
 * region (credentials come from the default chain: the task role). With `endpoint` (a local stand-in
 * such as s3rver) it addresses buckets by path and sends checksums only when an operation requires
 * them: s3rver keeps the aws-chunked framing of a checksummed streamed body in the stored bytes.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { awsClientSettings, BUDGETS } from '../../shared/aws-client.ts';

export interface S3ClientOptions {
  readonly region: string;
  readonly endpoint?: string;
  /** Path-style addressing; on by default when `endpoint` is given, off otherwise. */
  readonly forcePathStyle?: boolean;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

const pathStyle = (opts: S3ClientOptions) => opts.forcePathStyle ?? opts.endpoint !== undefined;

/**
 * The origin of the URLs this client presigns for `bucket`: the endpoint's (path-style) or the
 * bucket's own host (virtual-hosted, S3's default). A test compares it with a real presigned URL.
 */
export function presignedOrigin(opts: S3ClientOptions, bucket: string): string {
  const base = new URL(opts.endpoint ?? `https://s3.${opts.region}.amazonaws.com`);
  return pathStyle(opts) ? base.origin : `${base.protocol}//${bucket}.${base.host}`;
}

export function makeS3Client(opts: S3ClientOptions): S3Client {
  const local = opts.endpoint !== undefined;
  const forcePathStyle = pathStyle(opts);
  return new S3Client({
    region: opts.region,
    // SlowDown, 500/503 and hung calls: bounded retries and per-attempt deadlines (shared/aws-client.ts).
    ...awsClientSettings(BUDGETS.s3),
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
