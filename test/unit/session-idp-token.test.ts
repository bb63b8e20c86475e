/**
 * The sealed provider token of a browser session (services/session-idp-token.ts): only the cookie
 * of that session opens it, tampering is detected, a rotated token replaces the stored one, and a
 * token the provider refuses, or a session without one, ends the session. The store is the real
 * SQLite one; the identity provider is a stand-in that counts refreshes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createSqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { IdentityProvider, Tokens } from '../../src/ports/identity.ts';
import type { Deps } from '../../src/services/deps.ts';
import {
  callerToken,
  openIdpToken,
  sealIdpToken,
  sessionAccessToken,
} from '../../src/services/session-idp-token.ts';
import { hashSessionId } from '../../src/services/sessions.ts';

const cookie = () => randomBytes(32).toString('base64url');

test('only the cookie of the session it was sealed for opens the token; tampering is refused', () => {
  const value = cookie();
  const idHash = hashSessionId(value);
  const sealed = sealIdpToken(value, idHash, 'the-refresh-token');
  assert.equal(openIdpToken(value, idHash, sealed), 'the-refresh-token');
  assert.notEqual(sealIdpToken(value, idHash, 'the-refresh-token'), sealed, 'a fresh IV every time');
  assert.equal(sealed.includes('the-refresh-token'), false);
  assert.equal(openIdpToken(cookie(), idHash, sealed), null, 'another cookie');
  assert.equal(openIdpToken(value, hashSessionId(cookie()), sealed), null, 'moved to another session');
  const [v, iv, body = ''] = sealed.split('.');
  const flipped = `${body.slice(0, 5)}${body[5] === 'A' ? 'B' : 'A'}${body.slice(6)}`;
  for (const bad of [
    `${v}.${iv}.${flipped}`,
    `v2.${iv}.${body}`,
    `${v}.${iv}`,
    '',
    'v1..',
    `${v}.AAAA.${body}`,
  ]) {
    assert.equal(openIdpToken(value, idHash, bad), null, bad);
  }
});

function setup(refresh: (token: string) => Promise<Tokens>) {
  const dir = mkdtempSync(join(tmpdir(), 'gh-idp-token-'));
  const store = createSqliteStore(join(dir, 'store.db'));
  const identity = { mode: 'cognito', refresh } as unknown as IdentityProvider;
  const deps = { identity, store, log: { warn() {}, info() {}, error() {} } } as unknown as Deps;
  const value = cookie();
  const idHash = hashSessionId(value);
  const create = (sealedIdpToken?: string) =>
    store.sessions.create({
      idHash,
      publicId: 'pub-1',
      userId: 'u1',
      createdAt: 1,
      lastSeenAt: 1,
      expiresAt: Date.now() + 60_000,
      userAgent: 'test',
      ip: '203.0.113.1',
      csrfToken: 'csrf',
      ...(sealedIdpToken ? { sealedIdpToken } : {}),
    });
  return {
    deps,
    store,
    value,
    idHash,
    create,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const tokens = (refreshToken: string, n: number): Tokens => ({
  idToken: `id-${n}`,
  accessToken: `access-${n}`,
  refreshToken,
  expiresIn: 3600,
  tokenType: 'Bearer',
});

test('each call makes a fresh access token; a rotated refresh token is sealed in its place', async () => {
  const seen: string[] = [];
  let n = 0;
  const s = setup(async (token) => {
    seen.push(token);
    n++;
    return tokens(n === 1 ? 'rotated' : token, n);
  });
  await s.create(sealIdpToken(s.value, s.idHash, 'original'));
  assert.equal(await sessionAccessToken(s.deps, s.idHash, s.value), 'access-1');
  const stored = (await s.store.sessions.get(s.idHash))?.sealedIdpToken ?? '';
  assert.equal(openIdpToken(s.value, s.idHash, stored), 'rotated');
  assert.equal(await sessionAccessToken(s.deps, s.idHash, s.value), 'access-2');
  assert.deepEqual(seen, ['original', 'rotated']);
  await s.cleanup();
});

test('a refused token, or none, ends the session with SESSION_EXPIRED; other failures do not', async () => {
  let failure: Error = new AppError('INVALID_TOKEN', 'revoked');
  const s = setup(async () => {
    throw failure;
  });
  const expired = (err: unknown) => err instanceof AppError && err.code === 'SESSION_EXPIRED';
  await s.create(sealIdpToken(s.value, s.idHash, 'kept'));
  failure = new AppError('UNAVAILABLE', 'down');
  await assert.rejects(sessionAccessToken(s.deps, s.idHash, s.value), /down/);
  assert.ok(await s.store.sessions.get(s.idHash), 'an outage ends no session');
  failure = new AppError('INVALID_TOKEN', 'revoked');
  await assert.rejects(sessionAccessToken(s.deps, s.idHash, s.value), expired);
  assert.equal(await s.store.sessions.get(s.idHash), null);

  await s.create();
  await assert.rejects(sessionAccessToken(s.deps, s.idHash, s.value), expired);
  assert.equal(await s.store.sessions.get(s.idHash), null);
  await s.cleanup();
});

test('callerToken: the Bearer token as is; a cookie session a lazy maker; nothing otherwise', async () => {
  const s = setup(async () => tokens('kept', 1));
  assert.deepEqual(callerToken(s.deps, { userId: 'u1', groups: [], via: 'bearer', accessToken: 'tok' }), {
    accessToken: 'tok',
  });
  const lazy = callerToken(s.deps, {
    userId: 'u1',
    groups: [],
    via: 'cookie',
    sessionIdHash: s.idHash,
    sessionCookie: s.value,
  });
  await s.create(sealIdpToken(s.value, s.idHash, 'kept'));
  assert.equal(await lazy.accessTokenFor?.(), 'access-1');
  const builtin = { ...s.deps, identity: { ...s.deps.identity, mode: 'builtin' } } as Deps;
  assert.deepEqual(
    callerToken(builtin, {
      userId: 'u1',
      groups: [],
      via: 'cookie',
      sessionIdHash: s.idHash,
      sessionCookie: s.value,
    }),
    {},
  );
  await s.cleanup();
});
