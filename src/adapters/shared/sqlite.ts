/**
 * Opening a SQLite database the way every embedded adapter wants it: WAL (readers never block the
 * writer), a busy timeout so a second process waits instead of failing, foreign keys on, and the
 * file created with owner-only permissions because it holds hashes, keys and tokens.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

export function openSqlite(file: string, schema: string): Db {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  }
  const fresh = file === ':memory:' || !existsSync(file);
  const db = new Database(file);
  if (fresh && file !== ':memory:') chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec(schema);
  return db;
}
