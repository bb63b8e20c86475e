/**
 * The revocation mark applies to refresh tokens as well (services/auth.ts refresh): a
 * family opened before the user's mark is refused, and revoked at the provider, even when the
 * provider still honours it, as Cognito would after a global sign-out that failed once the mark
 * was set. Real Cognito keeps the sign-in's auth_time in refreshed tokens; the stand-in identity
 * here does the same, and a provider that still honours the family is what the test needs (the
 * cognito-local proxy revokes on global sign-out, as Cognito does).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createSqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { IdentityProvider } from '../../src/ports/identity.ts';
import type { Deps } from '../../src/services/deps.ts';
import { refresh } from '../../src/services/signin.ts';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const access = (authTime: number) =>
  `${b64({ alg: 'RS256' })}.${b64({ sub: 'u1', auth_time: authTime, iat: authTime + 5000 })}.c2ln`;

test('a refresh family opened before the mark is refused and revoked; one opened after it is not', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-refresh-mark-'));
  const store = createSqliteStore(join(dir, 'store.db'));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let authTime = 1_800_000_000;
  const revoked: string[] = [];
  const identity = {
    mode: 'cognito',
    refresh: async () => ({
      idToken: 'id',
      accessToken: access(authTime),
      refreshToken: 'same',
      expiresIn: 3600,
      tokenType: 'Bearer',
    }),
    revokeRefreshToken: async (token: string) => {
      revoked.push(token);
    },
  } as unknown as IdentityProvider;
  const deps = { identity, store } as unknown as Deps;

  assert.equal((await refresh(deps, 'r1')).refreshToken, 'same', 'no mark: refreshed');
  await store.revocations.set('u1', (authTime + 60) * 1000);
  await assert.rejects(
    refresh(deps, 'r1'),
    (err: unknown) => err instanceof AppError && err.code === 'TOKEN_REVOKED',
  );
  assert.deepEqual(revoked, ['r1']);
  authTime += 61; // a sign-in after the mark
  assert.equal((await refresh(deps, 'r2')).refreshToken, 'same');
  authTime -= 1; // the mark's own second: ambiguous, left to the provider
  assert.equal((await refresh(deps, 'r3')).refreshToken, 'same');
  assert.deepEqual(revoked, ['r1']);
});
