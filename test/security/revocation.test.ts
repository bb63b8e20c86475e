/**
 * SECURITY.md items 26-28 with both identity providers: sign-out, sign-out everywhere, a password
 * reset or change, a disabled or deleted account end every token and session at once, and no
 * refresh family outlives a sign-out. In Cognito mode this rests on Gatehouse's own revocation mark
 * (Cognito does not check revocation for a JWT it signed) and on the pool's global sign-out, whose
 * behaviour the cognito-local proxy plays as Cognito documents it (test/helpers/cognito-local-proxy.ts:
 * refreshed tokens keep the sign-in's auth_time; a global sign-out revokes refresh tokens). Refresh
 * rotation, reuse detection and the lifetimes are the built-in provider's (Cognito rotates only
 * with rotation on, and its lifetimes are the pool's): refresh-tokens.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { setEnabled } from '../../src/services/admin.ts';
import { type Built, build } from '../helpers/build.ts';
import {
  bearer,
  changePassword,
  confirmedUser,
  PASSWORD,
  sessionSignIn,
  signIn,
  type Tokens,
  tokenUser,
} from '../helpers/users.ts';

const NEW_PASSWORD = 'a completely different long passphrase';

const me = (b: Built, headers: Record<string, string>) => b.app.inject({ url: '/api/users/me', headers });
const refresh = (b: Built, refreshToken: string) =>
  b.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: refreshToken } });
const part = (jwt: string, i: 0 | 1): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[i] ?? '', 'base64url').toString()) as Record<string, unknown>;
const setCookieLines = (res: LightMyRequestResponse): string[] => {
  const h = res.headers['set-cookie'];
  if (h === undefined) return [];
  return Array.isArray(h) ? h : [String(h)];
};
const errorCode = (res: LightMyRequestResponse): string =>
  (res.json() as { error?: { code?: string } }).error?.code ?? '';

async function expect401(b: Built, token: string, what: string) {
  const res = await me(b, bearer(token));
  assert.equal(res.statusCode, 401, `${what}: expected 401, got ${res.statusCode} ${res.body}`);
  assert.ok(['INVALID_TOKEN', 'TOKEN_REVOKED', 'UNAUTHENTICATED'].includes(errorCode(res)), what);
}

describe('revocation', () => {
  test('SECURITY 26: after sign-out the old access and refresh tokens fail at once', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const rotated = await refresh(b, u.tokens.refresh_token);
    assert.equal(rotated.statusCode, 200, rotated.body);
    const r1 = rotated.json() as Tokens;
    // Both access tokens are verified (and cached as valid) before the sign-out.
    assert.equal((await me(b, bearer(u.tokens.access_token))).statusCode, 200);
    assert.equal((await me(b, bearer(r1.access_token))).statusCode, 200);

    const out = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signout',
      headers: bearer(r1.access_token),
    });
    assert.equal(out.statusCode, 200, out.body);

    for (const [what, token] of [
      ['access token used to sign out', r1.access_token],
      ['earlier access token', u.tokens.access_token],
    ] as const) {
      const res = await me(b, bearer(token));
      assert.equal(res.statusCode, 401, what);
      assert.equal(errorCode(res), 'TOKEN_REVOKED', what);
    }
    assert.equal((await refresh(b, r1.refresh_token)).statusCode, 401, 'current refresh token');
    assert.equal((await refresh(b, u.tokens.refresh_token)).statusCode, 401, 'spent refresh token');
    const again = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signout',
      headers: bearer(r1.access_token),
    });
    assert.equal(again.statusCode, 401, 'a revoked token cannot be used to sign out again');

    // Control: signing in again works.
    const fresh = await signIn(b, u.email);
    assert.equal((await me(b, bearer(fresh.access_token))).statusCode, 200);
  });

  test('SECURITY 26: sign-out with the access token in the body ends the tokens too', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    assert.equal((await me(b, bearer(u.tokens.access_token))).statusCode, 200);
    const out = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signout',
      payload: { access_token: u.tokens.access_token },
    });
    assert.equal(out.statusCode, 200, out.body);
    await expect401(b, u.tokens.access_token, 'access token after body sign-out');
    assert.equal((await refresh(b, u.tokens.refresh_token)).statusCode, 401);
  });

  /** Three API clients and two browsers of one user. */
  async function devices(b: Built, email: string, password = PASSWORD) {
    const tokens = [
      await signIn(b, email, password),
      await signIn(b, email, password),
      await signIn(b, email, password),
    ];
    const cookies: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await sessionSignIn(b, { email, password }, { 'user-agent': `Browser ${i}` });
      assert.equal(res.statusCode, 200, res.body);
      cookies.push(`gh_session=${res.cookies[0]?.value ?? ''}`);
    }
    return { tokens, cookies };
  }
  async function expectAlive(b: Built, d: Awaited<ReturnType<typeof devices>>) {
    for (const [i, tk] of d.tokens.entries())
      assert.equal((await me(b, bearer(tk.access_token))).statusCode, 200, `device ${i} access token`);
    for (const [i, c] of d.cookies.entries())
      assert.equal((await me(b, { cookie: c })).statusCode, 200, `browser ${i}`);
  }
  async function expectAllDead(b: Built, d: Awaited<ReturnType<typeof devices>>, what: string) {
    for (const [i, tk] of d.tokens.entries()) {
      assert.equal(
        (await me(b, bearer(tk.access_token))).statusCode,
        401,
        `${what}: device ${i} access token`,
      );
      assert.equal(
        (await refresh(b, tk.refresh_token)).statusCode,
        401,
        `${what}: device ${i} refresh token`,
      );
    }
    for (const [i, c] of d.cookies.entries())
      assert.equal((await me(b, { cookie: c })).statusCode, 401, `${what}: browser ${i}`);
  }

  test('SECURITY 27: after global sign-out every device fails', async (t) => {
    const b = await build(t);
    const { email } = await confirmedUser(b);
    const d = await devices(b, email);
    await expectAlive(b, d);
    const first = d.tokens[0];
    assert.ok(first);
    const out = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signout',
      headers: bearer(first.access_token),
    });
    assert.equal(out.statusCode, 200, out.body);
    await expectAllDead(b, d, 'global sign-out');
  });

  test('SECURITY 27: after a password reset every device fails', async (t) => {
    const b = await build(t);
    const { email } = await confirmedUser(b);
    const d = await devices(b, email);
    await expectAlive(b, d);
    // The reset mail goes out after the answer: wait for it, not for a fixed time (a loaded machine
    // and a remote store can take longer than any guess, and the code read would be the old one).
    await b.expectMail(email, () =>
      b.app.inject({ method: 'POST', url: '/api/auth/forgot-password', payload: { email } }),
    );
    const reset = await b.app.inject({
      method: 'POST',
      url: '/api/auth/reset-password',
      payload: { email, confirmation_code: b.codeFor(email), new_password: NEW_PASSWORD },
    });
    assert.equal(reset.statusCode, 200, reset.body);
    await expectAllDead(b, d, 'password reset');
    const fresh = await signIn(b, email, NEW_PASSWORD);
    assert.equal((await me(b, bearer(fresh.access_token))).statusCode, 200, 'control: new sign-in works');
  });

  test('SECURITY 27: after a password change every other device fails', async (t) => {
    const b = await build(t);
    const { email } = await confirmedUser(b);
    const d = await devices(b, email);
    const first = d.tokens[0];
    assert.ok(first);
    const change = await changePassword(
      b,
      { current_password: PASSWORD, new_password: NEW_PASSWORD },
      bearer(first.access_token),
    );
    assert.equal(change.statusCode, 200, change.body);
    await expectAllDead(b, d, 'password change');
  });

  test('SECURITY 27: after the account is disabled every device fails', async (t) => {
    const b = await build(t);
    const { email } = await confirmedUser(b);
    const d = await devices(b, email);
    await expectAlive(b, d);
    const userId = String(part(d.tokens[0]?.access_token ?? '', 1).sub);
    await setEnabled(b.deps, null, userId, false, null);
    await expectAllDead(b, d, 'account disabled');
    const again = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: PASSWORD },
    });
    assert.equal(again.statusCode, 403);
    assert.equal(errorCode(again), 'USER_DISABLED');
    const browser = await sessionSignIn(b, { email, password: PASSWORD });
    assert.equal(browser.statusCode, 403);
    assert.equal(setCookieLines(browser).length, 0);
  });

  test('SECURITY 27: deleting the account (identity port) ends every refresh token', async (t) => {
    const b = await build(t);
    const { email } = await confirmedUser(b);
    const d = await devices(b, email);
    const userId = String(part(d.tokens[0]?.access_token ?? '', 1).sub);
    await b.deps.identity.adminDeleteUser(userId);
    for (const [i, tk] of d.tokens.entries())
      assert.equal((await refresh(b, tk.refresh_token)).statusCode, 401, `device ${i} refresh token`);
    const again = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: PASSWORD },
    });
    assert.equal(again.statusCode, 401);
  });

  test('SECURITY 28: concurrent refreshes with one token leave no family alive after a sign-out', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const results = await Promise.all(Array.from({ length: 4 }, () => refresh(b, u.tokens.refresh_token)));
    for (const r of results) assert.ok([200, 401].includes(r.statusCode), r.body);
    const handedOut = new Set([
      u.tokens.refresh_token,
      ...results.filter((r) => r.statusCode === 200).map((r) => (r.json() as Tokens).refresh_token),
    ]);
    const out = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signout',
      headers: bearer(u.tokens.access_token),
    });
    assert.equal(out.statusCode, 200, out.body);
    for (const token of handedOut) assert.equal((await refresh(b, token)).statusCode, 401);
  });
});
