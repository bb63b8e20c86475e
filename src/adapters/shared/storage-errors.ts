/**
 * Running out of storage, said the same way by every adapter that writes to this machine's disk
 * (SQLite files, blob folders): STORAGE_FULL (HTTP 507). Nothing of the failed write is kept (SQLite
 * rolls the statement back; a blob put removes its temp file), and reads keep working, so the
 * answer tells the caller the request failed as a whole and why, not that the service is down.
 */
import { AppError } from '../../domain/errors.ts';

export const STORAGE_FULL_MESSAGE =
  'The server is out of storage space, so nothing was saved. Try again later.';

export const storageFull = (cause: unknown): AppError =>
  new AppError('STORAGE_FULL', STORAGE_FULL_MESSAGE, { cause });

/** A filesystem error that means "no space": the disk (ENOSPC) or the user's quota (EDQUOT). */
export const isDiskFull = (err: unknown): boolean => {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
};
