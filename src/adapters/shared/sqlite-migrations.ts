/**
 * The one migration runner of every embedded SQLite file (the store's gatehouse.db, the built-in
 * identity provider's identity.db, the billing simulator's file). A file's schema is a list of
 * numbered steps; `PRAGMA user_version` holds how many have run, so a change is one more step at
 * the end (never an edit of an earlier one). What it guarantees: the missing steps run in one
 * IMMEDIATE transaction, so two processes starting on the same file cannot both apply one and a
 * step that fails leaves the file as it was; a file written by a newer Gatehouse is refused with
 * a message naming it, rather than misread.
 */
import type Database from 'better-sqlite3';

export interface Migrations {
  /** What the file is, for the operator: "the store", "identity.db". */
  readonly label: string;
  readonly steps: readonly string[];
}

const userVersion = (db: Database.Database): number => Number(db.pragma('user_version', { simple: true }));

/** Brings the file up to `steps.length`; returns the version it found. */
export function migrate(db: Database.Database, migrations: Migrations): number {
  const latest = migrations.steps.length;
  const found = userVersion(db);
  if (found > latest) {
    throw new Error(
      `${migrations.label} is at schema version ${found}, newer than this Gatehouse understands (${latest}). Upgrade Gatehouse or use another DATA_DIR.`,
    );
  }
  if (found === latest) return found;
  db.transaction(() => {
    // Read again inside the lock: another process may have migrated while we waited for it.
    const start = userVersion(db);
    migrations.steps.slice(start).forEach((sql, i) => {
      db.exec(sql);
      db.pragma(`user_version = ${start + i + 1}`);
    });
  }).immediate();
  return found;
}
