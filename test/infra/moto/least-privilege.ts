/**
 * Least privilege on S3, checked by moto's own IAM enforcement (issue 18, item 4): every S3 call
 * the app made in the journey, as moto recorded it, is tried again as an IAM user holding exactly
 * the S3 statements of the instance role, and must be allowed; calls outside them must be denied.
 *
 * Each recorded request is tried as its IAM action on its resource rather than replayed byte for
 * byte, because moto's enforcement differs from AWS's in three places the app meets:
 * - HeadBucket: moto checks an action named s3:HeadBucket, which IAM does not have (AWS authorizes
 *   HeadBucket with s3:ListBucket), so it is tried as a listing of the same bucket;
 * - ListObjectsV2 with a "/" in its prefix: moto's signature check rejects the SDK's encoding of
 *   it, so the listing is tried without a prefix (s3:ListBucket is granted per bucket, not prefix);
 * - presigned GETs: moto answers 500 under enforcement (it looks for an Authorization header), so a
 *   download is tried as a signed GetObject of the same key.
 * moto checks calls to other services against resource "*" only, so least privilege is checked
 * here for S3 alone; the other statements are checked offline (modules/app/tests).
 */
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';

export type S3Action =
  | 's3:ListBucket'
  | 's3:GetObject'
  | 's3:PutObject'
  | 's3:DeleteObject'
  | 's3:AbortMultipartUpload';

export interface S3Call {
  readonly action: S3Action;
  readonly bucket: string;
  readonly key?: string;
}

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
}

/** The credential scope of a signed request (header or presigned query): "<key id>/<date>/<region>/<service>/aws4_request". */
const credential = (r: Recorded, url: URL) =>
  /Credential=([^,\s]+)/.exec(r.headers.Authorization ?? r.headers.authorization ?? '')?.[1] ??
  url.searchParams.get('X-Amz-Credential') ??
  '';

/**
 * The IAM action of one recorded request, when it is an S3 request signed with `accessKeyId`
 * (path-style URL); null for anything else; throws for an S3 request shape not mapped yet.
 */
export function s3Call(r: Recorded, accessKeyId: string): S3Call | null {
  const url = new URL(r.url);
  const [keyId, , , service] = credential(r, url).split('/');
  if (service !== 's3' || keyId !== accessKeyId) return null;
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = rest.length > 0 && rest.join('/') !== '' ? decodeURIComponent(rest.join('/')) : undefined;
  const q = url.searchParams;
  const method = r.method.toUpperCase();
  const on = (action: S3Action): S3Call => ({ action, bucket, ...(key === undefined ? {} : { key }) });
  if (key === undefined) {
    if (method === 'HEAD' || (method === 'GET' && (q.has('list-type') || q.has('prefix'))))
      return on('s3:ListBucket');
  } else if (q.has('uploadId') && method === 'DELETE') {
    return on('s3:AbortMultipartUpload');
  } else if (method === 'PUT' || (method === 'POST' && (q.has('uploads') || q.has('uploadId')))) {
    return on('s3:PutObject');
  } else if (method === 'GET' || method === 'HEAD') {
    return on('s3:GetObject');
  } else if (method === 'DELETE') {
    return on('s3:DeleteObject');
  }
  throw new Error(
    `an S3 request this check does not map to an IAM action yet: ${method} ${url.pathname}${url.search}`,
  );
}

/** The distinct S3 calls made with `accessKeyId` in a moto recording (one JSON object per line). */
export function s3CallsOf(recording: string, accessKeyId: string): S3Call[] {
  const seen = new Map<string, S3Call>();
  for (const line of recording.split('\n')) {
    if (!line.trim()) continue;
    const call = s3Call(JSON.parse(line) as Recorded, accessKeyId);
    if (call) seen.set(`${call.action} ${call.bucket}/${call.key ?? ''}`, call);
  }
  return [...seen.values()];
}

export const s3Client = (endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }) =>
  new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });

/** "allowed", "denied", or the unexpected error: `call` tried with `client`'s credentials. */
export async function attempt(client: S3Client, call: S3Call): Promise<string> {
  const Bucket = call.bucket;
  const Key = call.key ?? '';
  try {
    switch (call.action) {
      case 's3:ListBucket':
        await client.send(new ListObjectsV2Command({ Bucket, MaxKeys: 1 }));
        break;
      case 's3:GetObject':
        await client.send(new GetObjectCommand({ Bucket, Key })).then((o) => o.Body?.transformToByteArray());
        break;
      case 's3:PutObject':
        await client.send(new PutObjectCommand({ Bucket, Key, Body: 'probe', ContentType: 'text/plain' }));
        break;
      case 's3:DeleteObject':
        await client.send(new DeleteObjectCommand({ Bucket, Key }));
        break;
      case 's3:AbortMultipartUpload': {
        const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
        await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
        break;
      }
    }
    return 'allowed';
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    // A missing key is an answer S3 gives only to a caller allowed to ask.
    if (e.name === 'NoSuchKey') return 'allowed';
    if (e.name === 'AccessDenied' && e.$metadata?.httpStatusCode === 403) return 'denied';
    return `${e.name ?? 'error'} (${e.$metadata?.httpStatusCode ?? '?'})`;
  }
}
