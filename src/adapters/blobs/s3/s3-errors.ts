/**
 * How the S3 blobs adapter reads the SDK's errors. A missing object is an answer (null), not a
 * failure; everything else the service or the network does wrong (unreachable, 5xx, throttled,
 * access denied, a missing bucket) is UNAVAILABLE with one fixed, log-safe message. The SDK's error
 * rides along as `cause` for the server log; it never reaches an HTTP answer.
 */
import { AppError, isAppError } from '../../../domain/errors.ts';

/** The SDK error's name (e.g. "NoSuchKey", "AccessDenied"), or "" for anything else. */
export const errorName = (err: unknown): string =>
  typeof err === 'object' && err !== null && 'name' in err ? String((err as { name: unknown }).name) : '';

const statusOf = (err: unknown): number | undefined =>
  (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;

/**
 * True when the object is not there: NoSuchKey (GetObject), NotFound (HeadObject, which has no
 * body to name the error) or a bare 404. A missing bucket is a broken deployment, not a missing
 * object, so NoSuchBucket stays a failure.
 */
export const isMissing = (err: unknown): boolean =>
  errorName(err) !== 'NoSuchBucket' &&
  (['NoSuchKey', 'NotFound'].includes(errorName(err)) || statusOf(err) === 404);

/** Our own AppErrors pass through; anything else becomes UNAVAILABLE with the original as cause. */
export const unavailable = (err: unknown): AppError =>
  isAppError(err) ? err : new AppError('UNAVAILABLE', 'Blob storage is unavailable.', { cause: err });

/** Runs one request, turning any failure into `unavailable`. */
export async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw unavailable(err);
  }
}
