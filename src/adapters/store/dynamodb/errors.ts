/**
 * DynamoDB failures at the store's boundary: a failed condition is an answer the adapter handles
 * itself (a mark that was already larger, a quota that would be exceeded); everything else (the
 * service unreachable or throttling, the table missing, access denied) is UNAVAILABLE, with the
 * SDK's error kept as the cause for the log and never shown to a caller.
 */
import { AppError, isAppError } from '../../../domain/errors.ts';

export const errorName = (err: unknown): string =>
  typeof err === 'object' && err !== null && 'name' in err ? String((err as { name: unknown }).name) : '';

export const isConditionFailure = (err: unknown): boolean =>
  errorName(err) === 'ConditionalCheckFailedException';

/** The cancellation reasons of a failed transaction, e.g. ['ConditionalCheckFailed', 'None']. */
export function cancellationReasons(err: unknown): string[] {
  if (errorName(err) !== 'TransactionCanceledException') return [];
  const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? 'None');
}

export function translate(err: unknown): AppError {
  if (isAppError(err)) return err;
  return new AppError('UNAVAILABLE', 'The data store is unavailable. Try again shortly.', { cause: err });
}

/** Runs one store operation; anything it throws reaches the caller as an AppError. */
export async function guard<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw translate(err);
  }
}
