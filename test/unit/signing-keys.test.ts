/**
 * Issue 17, item 2: on a fresh data folder the first signing key is created once, whatever the
 * concurrency. Several first sign-ins at once each generated and inserted a key (2 to 6 active),
 * and a token could be signed by a key missing from the list the verifier was given.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { IDENTITY_MIGRATIONS } from '../../src/adapters/identity/builtin/schema.ts';
import { createSigningKeys } from '../../src/adapters/identity/builtin/signing-keys.ts';
import { openSqlite } from '../../src/adapters/shared/sqlite.ts';

const activeKids = (db: ReturnType<typeof openSqlite>) =>
  db
    .prepare<[], { kid: string }>('SELECT kid FROM signing_keys WHERE retired_at IS NULL')
    .all()
    .map((r) => r.kid);

function freshFile(t: import('node:test').TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'gh-keys-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'identity.db');
}

test('concurrent first uses create one key, and every signer is published', async (t) => {
  const db = openSqlite(freshFile(t), IDENTITY_MIGRATIONS);
  t.after(() => db.close());
  const keys = createSigningKeys(db, 3600, Date.now);
  const signers = await Promise.all(Array.from({ length: 8 }, () => keys.current()));
  const jwks = await keys.jwks();
  assert.deepEqual(activeKids(db).length, 1, 'one active key');
  assert.deepEqual(new Set(signers.map((s) => s.kid)).size, 1, 'every caller signs with it');
  assert.deepEqual(
    jwks.keys.map((k) => k.kid),
    activeKids(db),
  );
});

test('two processes starting on one fresh file agree on one key', async (t) => {
  const file = freshFile(t);
  // Two connections stand for two processes (a server and `npm run keys:rotate`, or two starts).
  const a = openSqlite(file, IDENTITY_MIGRATIONS);
  const b = openSqlite(file, IDENTITY_MIGRATIONS);
  t.after(() => {
    a.close();
    b.close();
  });
  const first = createSigningKeys(a, 3600, Date.now);
  const second = createSigningKeys(b, 3600, Date.now);
  const signers = await Promise.all([first.current(), second.current(), first.current(), second.current()]);
  assert.equal(activeKids(a).length, 1);
  assert.deepEqual(new Set(signers.map((s) => s.kid)), new Set(activeKids(a)));
});

test('a rotation while keys load leaves the new key signing and the old one published', async (t) => {
  const db = openSqlite(freshFile(t), IDENTITY_MIGRATIONS);
  t.after(() => db.close());
  const keys = createSigningKeys(db, 3600, Date.now);
  const old = await keys.current();
  const [rotated] = await Promise.all([keys.rotate(), keys.jwks(), keys.current()]);
  assert.equal((await keys.current()).kid, rotated.kid);
  assert.deepEqual(new Set((await keys.jwks()).keys.map((k) => k.kid)), new Set([old.kid, rotated.kid]));
});
