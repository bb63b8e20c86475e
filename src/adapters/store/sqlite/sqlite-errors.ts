/**
 * SQLite failures translated at the adapter boundary, so services only ever see AppError codes: a
 * locked, full, unreadable or closed database is UNAVAILABLE (503, the caller may retry), a
 * constraint violation is CONFLICT, and anything else is INTERNAL with the original as its cause.
 */
import Database from 'better-sqlite3';
import { AppError, isAppError } from '../../../domain/errors.ts';

// Conditions of the file or the machine rather than of the request: retrying later can succeed.
const UNAVAILABLE_CODES = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_PROTOCOL',
  'SQLITE_NOMEM',
];

const unavailable = (cause: unknown) => new AppError('UNAVAILABLE', 'The store is unavailable.', { cause });

export function translateSqliteError(err: unknown): AppError {
  if (isAppError(err)) return err;
  if (err instanceof Database.SqliteError) {
    // Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE, ...) share their primary's prefix.
    if (UNAVAILABLE_CODES.some((c) => err.code === c || err.code.startsWith(`${c}_`)))
      return unavailable(err);
    if (err.code.startsWith('SQLITE_CONSTRAINT'))
      return new AppError('CONFLICT', 'That record already exists.', { cause: err });
  }
  // better-sqlite3 raises a TypeError, not a SqliteError, once the connection is closed.
  if (err instanceof TypeError && err.message.includes('database connection is not open'))
    return unavailable(err);
  return new AppError('INTERNAL', 'The store failed.', { cause: err });
}

/** Runs a synchronous database call as the port's promise, with errors translated. */
export function guard<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(translateSqliteError(err));
  }
}
