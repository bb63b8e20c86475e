/**
 * A SQLite file as SQL text and back, for the previous release's files kept in
 * test/fixtures/previous-release (text, so a review can read what changed between releases).
 * The dump holds the schema as SQLite stored it, every row, and PRAGMA user_version.
 */
import type Database from 'better-sqlite3';

type Db = Database.Database;

/** What the previous release's files hold (test/fixtures/previous-release/make.ts wrote them). */
export const PREVIOUS = {
  email: 'ada@example.test',
  password: 'correct horse battery staple 1',
  customerId: 'cus_previous_release',
} as const;

const quoteId = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** `omitRowsOf`: tables whose rows stay out of the dump (their schema is kept). */
export function dumpSql(db: Db, omitRowsOf: readonly string[] = []): string {
  const objects = db
    .prepare<[], { type: string; name: string; sql: string | null }>(
      "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type = 'index', rowid",
    )
    .all();
  const lines = ['BEGIN;'];
  for (const o of objects) {
    if (!o.sql) continue; // an automatic index (UNIQUE, PRIMARY KEY) comes back with its table
    lines.push(`${o.sql};`);
    if (o.type !== 'table' || omitRowsOf.includes(o.name)) continue;
    const columns = db.pragma(`table_info(${quoteId(o.name)})`) as { name: string }[];
    const values = columns.map((c) => `quote(${quoteId(c.name)})`).join(` || ',' || `);
    const rows = db.prepare<[], { v: string }>(`SELECT ${values} AS v FROM ${quoteId(o.name)}`).all();
    for (const r of rows) lines.push(`INSERT INTO ${quoteId(o.name)} VALUES (${r.v});`);
  }
  lines.push(`PRAGMA user_version = ${Number(db.pragma('user_version', { simple: true }))};`, 'COMMIT;', '');
  return lines.join('\n');
}

/** Column names and types, and index definitions, of every table: what two schemas must agree on. */
export function schemaShape(db: Db): Record<string, unknown> {
  const shape: Record<string, unknown> = {};
  const tables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all();
  for (const { name } of tables) {
    const columns = db.pragma(`table_xinfo(${quoteId(name)})`) as Record<string, unknown>[];
    const indexes = db
      .prepare<[string], { name: string; sql: string | null }>(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY name",
      )
      .all(name);
    shape[name] = { columns, indexes };
  }
  return shape;
}

/** A new file at `file` holding what `sql` (a dump) describes. */
export function restoreSql(open: (file: string) => Db, file: string, sql: string): void {
  const db = open(file);
  db.exec(sql);
  db.close();
}
