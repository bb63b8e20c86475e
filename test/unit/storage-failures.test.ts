/**
 * Issue 17, item 6, in the main suite (the fault suite fills a real tmpfs): the wrapper the
 * built-in identity provider and the billing simulator put around their methods turns SQLite's
 * own "database or disk is full" into STORAGE_FULL (507) and a locked database into UNAVAILABLE
 * (503), whether the method throws or rejects, and lets every other error through untouched (the
 * identity provider maps its UNIQUE violations itself). The errors are SQLite's real ones: a
 * connection capped with max_page_count, and a second connection meeting a held write lock.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { translateStorageFailures } from '../../src/adapters/shared/sqlite-errors.ts';
import { isAppError } from '../../src/domain/errors.ts';

const failure = async (fn: () => unknown): Promise<unknown> => {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected a failure');
};

test('SQLite full, busy and other failures escaping an adapter method', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-storage-'));
  const file = join(dir, 'x.db');
  const db = new Database(file);
  const other = new Database(file, { timeout: 0 });
  t.after(() => {
    other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)');
  // A file that cannot grow: SQLite answers exactly as on a full disk.
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');

  const adapter = translateStorageFailures({
    fill: () => insert.run(Buffer.alloc(64 * 1024)),
    fillLater: async () => insert.run(Buffer.alloc(64 * 1024)),
    duplicate: () => {
      db.prepare('INSERT INTO t (id) VALUES (1)').run();
      db.prepare('INSERT INTO t (id) VALUES (1)').run();
    },
    writeWhileLocked: () => other.prepare('INSERT INTO t (v) VALUES (1)').run(),
    name: 'kept',
  });
  assert.equal(adapter.name, 'kept');

  for (const fn of [adapter.fill, adapter.fillLater]) {
    const err = await failure(fn);
    assert.ok(isAppError(err), String(err));
    assert.equal(err.code, 'STORAGE_FULL');
    assert.equal(err.status, 507);
    assert.match(err.message, /out of storage space/);
    assert.equal((err.cause as { code?: string }).code, 'SQLITE_FULL');
  }
  // Reads work on a full database.
  assert.deepEqual(db.prepare('SELECT count(*) AS n FROM t').get(), { n: 0 });

  db.pragma('max_page_count = 1000000');
  const dup = await failure(adapter.duplicate);
  assert.ok(dup instanceof Database.SqliteError && dup.code.startsWith('SQLITE_CONSTRAINT'), String(dup));

  db.exec('BEGIN IMMEDIATE');
  const busy = await failure(adapter.writeWhileLocked);
  db.exec('ROLLBACK');
  assert.ok(isAppError(busy), String(busy));
  assert.equal(busy.code, 'UNAVAILABLE');
  assert.equal(busy.status, 503);
});
