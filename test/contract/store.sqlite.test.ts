/**
 * The store contract against the SQLite adapter, on a real file and in memory, plus what only a
 * file-backed store can promise: data survives close and reopen, the schema version is recorded,
 * a newer file is refused, and SQLite failures arrive as AppError codes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { translateSqliteError } from '../../src/adapters/shared/sqlite-errors.ts';
import { createSqliteStore, SCHEMA_VERSION } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import { isAppError } from '../../src/domain/errors.ts';
import type { AuditEvent, Profile, SessionRecord } from '../../src/ports/store.ts';
import { storeContract } from './store.contract.ts';

storeContract('sqlite file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-store-'));
  const store = createSqliteStore(join(dir, 'gatehouse.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

storeContract('sqlite :memory:', async () => {
  const store = createSqliteStore(':memory:');
  return { store, cleanup: () => store.close() };
});

const hasCode = (code: string) => (err: unknown) => isAppError(err) && err.code === code;

describe('sqlite store on a file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-store-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('everything survives close and reopen', async () => {
    const file = join(dir, 'reopen.db');
    const profile: Profile = {
      userId: 'u1',
      email: 'u1@example.com',
      name: null,
      phoneNumber: null,
      address: { country: 'FR' },
      emailVerified: true,
      mfaEnabled: true,
      groups: ['admin'],
      enabled: true,
      photoVersion: null,
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-01T00:00:00.000Z',
    };
    const session: SessionRecord = {
      idHash: 'a'.repeat(64),
      publicId: 'pub-1',
      userId: 'u1',
      createdAt: 1,
      lastSeenAt: 2,
      expiresAt: 3,
      userAgent: 'ua',
      ip: '::1',
      csrfToken: 'c',
    };
    const event: AuditEvent = {
      id: 'e1',
      at: '2024-01-01T00:00:00.000Z',
      type: 't',
      actorId: 'u1',
      subjectId: 'u1',
      ip: null,
      outcome: 'success',
      detail: { n: 1 },
    };
    const first = createSqliteStore(file);
    await first.profiles.put(profile);
    await first.sessions.create(session);
    await first.revocations.set('u1', 42);
    await first.audit.append(event);
    await first.throttle.hit('k', 60, 100);
    await first.throttle.hit('k', 60, 101);
    await first.close();

    const second = createSqliteStore(file);
    try {
      assert.deepEqual(await second.profiles.get('u1'), profile);
      assert.deepEqual(await second.sessions.get(session.idHash), session);
      assert.equal(await second.revocations.get('u1'), 42);
      assert.deepEqual((await second.audit.list({ limit: 5 })).items, [event]);
      assert.equal(await second.throttle.count('k', 102), 2);
    } finally {
      await second.close();
    }
  });

  test('records the schema version and refuses a file from a newer version', async () => {
    const file = join(dir, 'version.db');
    await createSqliteStore(file).close();
    const raw = new Database(file);
    assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    assert.throws(() => createSqliteStore(file), /newer than this Gatehouse understands/);
  });

  test('reopening an up-to-date file leaves its data and version alone', async () => {
    const file = join(dir, 'again.db');
    const a = createSqliteStore(file);
    await a.revocations.set('u', 7);
    await a.close();
    const b = createSqliteStore(file);
    assert.equal(await b.revocations.get('u'), 7);
    await b.close();
    const raw = new Database(file);
    assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    raw.close();
  });
});

describe('sqlite store errors', () => {
  test('a closed store answers UNAVAILABLE, not an empty result', async () => {
    const store = createSqliteStore(':memory:');
    await store.close();
    await assert.rejects(store.profiles.get('u1'), hasCode('UNAVAILABLE'));
    await assert.rejects(store.ping(), hasCode('UNAVAILABLE'));
    await store.close();
  });

  test('a second session with the same id is a CONFLICT', async () => {
    const store = createSqliteStore(':memory:');
    const s: SessionRecord = {
      idHash: 'b'.repeat(64),
      publicId: 'p',
      userId: 'u',
      createdAt: 1,
      lastSeenAt: 1,
      expiresAt: 2,
      userAgent: '',
      ip: '',
      csrfToken: 'c',
    };
    await store.sessions.create(s);
    await assert.rejects(store.sessions.create({ ...s, publicId: 'q' }), hasCode('CONFLICT'));
    await store.close();
  });

  test('a malformed audit cursor or page size is a BAD_REQUEST', async () => {
    const store = createSqliteStore(':memory:');
    await assert.rejects(store.audit.list({ limit: 5, cursor: 'not-a-cursor' }), hasCode('BAD_REQUEST'));
    const wrongShape = Buffer.from(JSON.stringify({ at: 1 })).toString('base64url');
    await assert.rejects(store.audit.list({ limit: 5, cursor: wrongShape }), hasCode('BAD_REQUEST'));
    await assert.rejects(store.audit.list({ limit: 0 }), hasCode('BAD_REQUEST'));
    await store.close();
  });

  test('busy, locked and I/O failures are UNAVAILABLE, a full disk STORAGE_FULL; others INTERNAL', () => {
    for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_IOERR_WRITE']) {
      assert.equal(translateSqliteError(new Database.SqliteError('x', code)).code, 'UNAVAILABLE', code);
    }
    const full = translateSqliteError(new Database.SqliteError('database or disk is full', 'SQLITE_FULL'));
    assert.equal(full.code, 'STORAGE_FULL');
    assert.equal(full.status, 507);
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    assert.equal(translateSqliteError(enospc).code, 'STORAGE_FULL');
    assert.equal(
      translateSqliteError(new Database.SqliteError('x', 'SQLITE_CONSTRAINT_UNIQUE')).code,
      'CONFLICT',
    );
    assert.equal(translateSqliteError(new Database.SqliteError('x', 'SQLITE_MISMATCH')).code, 'INTERNAL');
    assert.equal(translateSqliteError(new Error('boom')).code, 'INTERNAL');
  });
});
