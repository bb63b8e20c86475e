/**
 * SQLite failures translated at an adapter's boundary, the same for every SQLite-backed adapter
 * (the store, the built-in identity provider, the billing simulator): a full disk is STORAGE_FULL
 * (507; SQLite rolled the statement back), a locked, unreadable or closed database is UNAVAILABLE
 * (503, the caller may retry), a constraint violation is CONFLICT, and anything else is INTERNAL
 * with the original as its cause.
 */
import Database from 'better-sqlite3';
import { AppError, isAppError } from '../../domain/errors.ts';
import { isDiskFull, storageFull } from './storage-errors.ts';

// Conditions of the file or the machine rather than of the request: retrying later can succeed.
const UNAVAILABLE_CODES = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_READONLY',
  'SQLITE_PROTOCOL',
  'SQLITE_NOMEM',
];

const unavailable = (cause: unknown) => new AppError('UNAVAILABLE', 'The store is unavailable.', { cause });

/** Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE, ...) share their primary's prefix. */
const is = (err: { code: string }, code: string) => err.code === code || err.code.startsWith(`${code}_`);

/** Storage exhaustion, whichever layer reported it: SQLite's SQLITE_FULL or the filesystem's ENOSPC. */
export function isStorageExhausted(err: unknown): boolean {
  return (err instanceof Database.SqliteError && is(err, 'SQLITE_FULL')) || isDiskFull(err);
}

export function translateSqliteError(err: unknown): AppError {
  if (isAppError(err)) return err;
  if (isStorageExhausted(err)) return storageFull(err);
  if (err instanceof Database.SqliteError) {
    if (UNAVAILABLE_CODES.some((c) => is(err, c))) return unavailable(err);
    if (is(err, 'SQLITE_CONSTRAINT'))
      return new AppError('CONFLICT', 'That record already exists.', { cause: err });
  }
  // better-sqlite3 raises a TypeError, not a SqliteError, once the connection is closed.
  if (err instanceof TypeError && err.message.includes('database connection is not open'))
    return unavailable(err);
  return new AppError('INTERNAL', 'The store failed.', { cause: err });
}

/** Runs a synchronous database call as a promise, with errors translated. */
export function guard<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(translateSqliteError(err));
  }
}

/**
 * Storage failures of an adapter's methods, translated; for adapters that handle their other
 * SQLite errors themselves (the identity provider turns a UNIQUE violation into "exists"). Only
 * what escapes a method is looked at: a full disk becomes STORAGE_FULL, a locked or unreadable
 * file UNAVAILABLE; anything else passes through untouched.
 */
export function translateStorageFailures<T extends object>(adapter: T): T {
  const storage = (err: unknown): unknown => {
    if (isAppError(err)) return err;
    if (isStorageExhausted(err)) return storageFull(err);
    if (err instanceof Database.SqliteError && UNAVAILABLE_CODES.some((c) => is(err, c)))
      return unavailable(err);
    return err;
  };
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(adapter)) {
    if (typeof value !== 'function') {
      out[name] = value;
      continue;
    }
    out[name] = (...args: unknown[]) => {
      let result: unknown;
      try {
        result = value(...args);
      } catch (err) {
        throw storage(err);
      }
      return result instanceof Promise
        ? result.catch((err: unknown) => Promise.reject(storage(err)))
        : result;
    };
  }
  return out as T;
}
