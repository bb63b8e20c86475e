/**
 * Opening a SQLite database the way every embedded adapter wants it: WAL (readers never block the
 * writer), a busy timeout so a second process waits instead of failing, foreign keys on, and the
 * file created with owner-only permissions because it holds hashes, keys and tokens. Its schema is
 * brought up to date by the one migration runner (sqlite-migrations.ts) before anyone reads it.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type Migrations, migrate } from './sqlite-migrations.ts';

export type Db = Database.Database;

export class DatabaseInUseError extends Error {
  constructor(file: string) {
    super(`${file} is in use by another Gatehouse process: one server per DATA_DIR.`);
    this.name = 'DatabaseInUseError';
  }
}

/**
 * `exclusive`: take SQLite's exclusive lock for the life of the connection, so no other process can
 * read or write the file. An adapter that keeps read caches relies on it; a second opener fails at
 * once with DatabaseInUseError instead of silently seeing stale data.
 */
export function openSqlite(file: string, migrations: Migrations, opts: { exclusive?: boolean } = {}): Db {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  }
  const fresh = file === ':memory:' || !existsSync(file);
  const db = new Database(file);
  if (fresh && file !== ':memory:') chmodSync(file, 0o600);
  if (opts.exclusive) {
    db.pragma('locking_mode = EXCLUSIVE');
    try {
      // The first write takes the lock, and keeps it until close.
      db.exec('BEGIN IMMEDIATE; COMMIT;');
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new DatabaseInUseError(file);
      throw err;
    }
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  try {
    migrate(db, migrations);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
