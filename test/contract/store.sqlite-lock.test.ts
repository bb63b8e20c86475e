/**
 * The SQLite store's exclusive lock and its read caches: a second opener of the same file fails at
 * once, and every write through the store is visible to the next read (the caches write through).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createSqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import type { Profile, SessionRecord } from '../../src/ports/store.ts';
import { profileOf } from '../fakes/service-ports.ts';

const profile = (userId: string, name: string): Profile => ({
  ...profileOf(userId, Date.parse('2026-01-01T00:00:00.000Z')),
  name,
});
const session = (idHash: string, userId: string, publicId: string): SessionRecord => ({
  idHash,
  publicId,
  userId,
  createdAt: 1,
  lastSeenAt: 1,
  expiresAt: 9e15,
  userAgent: 'ua',
  ip: '127.0.0.1',
  csrfToken: 'c',
});

test('a second process cannot open a store file that is in use', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-lock-'));
  const file = join(dir, 'gatehouse.db');
  const store = createSqliteStore(file);
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const other = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import('${join(process.cwd(), 'src/adapters/store/sqlite/sqlite-store.ts')}').then((m) => m.createSqliteStore(${JSON.stringify(file)}))`,
    ],
    { encoding: 'utf8', timeout: 20_000 },
  );
  assert.notEqual(other.status, 0);
  assert.match(other.stderr, /in use by another Gatehouse process/);
});

test('the store can be reopened once closed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-lock-'));
  const file = join(dir, 'gatehouse.db');
  try {
    const a = createSqliteStore(file);
    await a.profiles.put(profile('u1', 'Ada'));
    await a.close();
    const b = createSqliteStore(file);
    assert.equal((await b.profiles.get('u1'))?.name, 'Ada');
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cached reads see every write at once', async () => {
  const store = createSqliteStore(':memory:');
  assert.equal(await store.profiles.get('u1'), null);
  await store.profiles.put(profile('u1', 'Ada'));
  assert.equal((await store.profiles.get('u1'))?.name, 'Ada');
  await store.profiles.put(profile('u1', 'Grace'));
  assert.equal((await store.profiles.get('u1'))?.name, 'Grace');
  await store.profiles.delete('u1');
  assert.equal(await store.profiles.get('u1'), null);

  assert.equal(await store.revocations.get('u1'), null);
  await store.revocations.set('u1', 1000);
  assert.equal(await store.revocations.get('u1'), 1000);
  await store.revocations.set('u1', 500); // marks never move back
  assert.equal(await store.revocations.get('u1'), 1000);
  await store.revocations.set('u1', 2000);
  assert.equal(await store.revocations.get('u1'), 2000);

  await store.sessions.create(session('h1', 'u1', 'p1'));
  await store.sessions.create(session('h2', 'u1', 'p2'));
  await store.sessions.create(session('h3', 'u2', 'p3'));
  assert.equal((await store.sessions.get('h1'))?.userId, 'u1');
  await store.sessions.touch('h1', 50);
  assert.equal((await store.sessions.get('h1'))?.lastSeenAt, 50);
  assert.equal(await store.sessions.deleteByPublicId('u2', 'p1'), false);
  assert.ok(await store.sessions.get('h1'));
  assert.equal(await store.sessions.deleteByPublicId('u1', 'p1'), true);
  assert.equal(await store.sessions.get('h1'), null);
  assert.equal(await store.sessions.deleteAllForUser('u1'), 1);
  assert.equal(await store.sessions.get('h2'), null);
  assert.ok(await store.sessions.get('h3'));
  await store.sessions.delete('h3');
  assert.equal(await store.sessions.get('h3'), null);
  await store.close();
});
